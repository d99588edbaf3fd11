#!/usr/bin/env python3
"""Reads the Surefire XML reports of one test class (its nested classes have reports of their own) and
prints PASS (n tests, s skipped) or FAIL followed by the first
failing test and the first lines of its failure; FAIL when the report is missing (the JVM or the
build died before the class ran: see maven.log beside it)."""
import sys
import xml.etree.ElementTree as ET

MESSAGE_LINES = 12


def main(paths):
    if not paths:
        print("FAIL no report (see maven.log of the run)")
        return
    tests = skipped = 0
    for path in paths:
        suite = ET.parse(path).getroot()
        tests += int(suite.get("tests", 0))
        skipped += int(suite.get("skipped", 0))
        for case in suite.iter("testcase"):
            for kind in ("failure", "error"):
                problem = case.find(kind)
                if problem is not None:
                    text = (problem.text or problem.get("message") or "").strip().splitlines()
                    print("FAIL %s: %s\n%s" % (case.get("name"), kind, "\n".join(text[:MESSAGE_LINES])))
                    return
    if tests == 0:
        print("FAIL no test ran (see maven.log of the run)")
        return
    print("PASS (%d tests, %d skipped)" % (tests, skipped))


if __name__ == "__main__":
    main(sys.argv[1:])

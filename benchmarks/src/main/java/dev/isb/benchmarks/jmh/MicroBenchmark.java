package dev.isb.benchmarks.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How every micro-benchmark of this package runs, so that their scores compare: nanoseconds per
 * operation on average, per thread state, 5 warm-up and 5 measured iterations of 1 s, one fork with a
 * fixed 2 GiB heap (no heap resizing during a measurement). JMH reads these annotations from the
 * superclass; {@code -f}, {@code -wi}, {@code -i} on its command line still win.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public abstract class MicroBenchmark {

  /** For the benchmarks. */
  protected MicroBenchmark() {}
}

package dev.isb.cli;

import dev.isb.BucketLayout;
import dev.isb.ValidationReport;
import dev.isb.wire.BufferNames;
import java.util.ArrayList;
import java.util.List;

/**
 * One line per buffer and bucket out of a {@link ValidationReport}, which speaks of buffers by name and of
 * buckets by their key/value buckets ({@code <bucket>_OT}, {@code <bucket>_PROCESSORS}).
 */
final class Resources {

  private Resources() {}

  /**
   * What the report says about one buffer or bucket.
   *
   * @param kind {@code buffer} or {@code bucket}
   * @param name its name
   * @param parts how many backend objects it has that can be missing (key/value buckets for a bucket)
   * @param problems what is missing, each prefixed with {@code <object>: } when it is a part (a key/value bucket)
   * @param differences settings that differ from the configuration, prefixed likewise
   */
  record Status(String kind, String name, int parts, List<String> problems, List<String> differences) {
    boolean complete() {
      return problems.isEmpty();
    }

    boolean absent() {
      return problems.size() >= parts;
    }

    String label() {
      return kind + " " + name;
    }
  }

  static List<Status> of(List<String> buffers, List<String> buckets, BucketLayout layout, ValidationReport report) {
    var out = new ArrayList<Status>();
    for (String buffer : buffers) {
      out.add(new Status("buffer", buffer, 1, about(report.problems(), buffer, List.of(buffer)),
          about(report.differences(), buffer, List.of(buffer))));
    }
    for (String bucket : buckets) {
      List<String> kvs = layout == BucketLayout.OFFSET_TIMELINE ? List.of(BufferNames.offsetTimelineBucket(bucket))
          : List.of(BufferNames.offsetTimelineBucket(bucket), BufferNames.processorsBucket(bucket));
      out.add(new Status("bucket", bucket, kvs.size(), about(report.problems(), bucket, kvs),
          about(report.differences(), bucket, kvs)));
    }
    return out;
  }

  /** The problems about any of {@code resources}, named only when they are not {@code name} itself. */
  private static List<String> about(List<ValidationReport.Problem> problems, String name, List<String> resources) {
    return problems.stream().filter(p -> resources.contains(p.resource()))
        .map(p -> p.resource().equals(name) ? p.description() : p.toString()).toList();
  }

  /** {@code 2 buffers and 1 bucket}. */
  static String count(List<String> buffers, List<String> buckets) {
    String b = buffers.size() + (buffers.size() == 1 ? " buffer" : " buffers");
    String k = buckets.size() + (buckets.size() == 1 ? " bucket" : " buckets");
    return buckets.isEmpty() ? b : buffers.isEmpty() ? k : b + " and " + k;
  }
}

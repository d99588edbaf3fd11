package dev.isb.spi;

import dev.isb.BucketLayout;
import dev.isb.BufferAdmin;
import dev.isb.BufferConfig;
import dev.isb.BufferInfo;
import dev.isb.ValidationReport;
import dev.isb.wire.BufferNames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The part of a {@link BufferAdmin} every backend shares: argument and name checks, the walk over
 * buffers and over each bucket's key/value stores (offset timeline, and processors in that layout),
 * and the validation report. A backend supplies what one buffer or one key/value store takes: create,
 * inspect, delete, info. Thread-safe if the subclass's wire work is.
 */
public abstract class AbstractBufferAdmin implements BufferAdmin {

  private final Runnable requireOpen;

  /** @param requireOpen throws {@link IllegalStateException} once the owning client is closed */
  protected AbstractBufferAdmin(Runnable requireOpen) {
    this.requireOpen = Objects.requireNonNull(requireOpen, "requireOpen");
  }

  /** What a validation of one buffer or one key/value store found; the subject is named by the caller. */
  protected static final class Findings {
    private final List<String> problems = new ArrayList<>();
    private final List<String> differences = new ArrayList<>();

    /** Something is missing or broken, e.g. {@code stream is missing}. */
    public void problem(String what) {
      problems.add(what);
    }

    /** The settings differ from the expected ones, one line per setting. */
    public void differences(List<String> what) {
      differences.addAll(what);
    }
  }

  /** Creates a buffer (stream or its equivalent, and its consumer group) unless it exists. */
  protected abstract void createBuffer(String buffer, BufferConfig config);

  /** Creates a key/value store with these settings unless it exists. */
  protected abstract void createKeyValue(String name, BufferConfig.Bucket settings);

  /** Checks one buffer; with an expected configuration, also how its settings differ from it. */
  protected abstract void inspectBuffer(String buffer, Optional<BufferConfig> expected, Findings findings);

  /** A key/value store's settings, empty when it does not exist. */
  protected abstract Optional<BufferConfig.Bucket> keyValueSettings(String name);

  /**
   * The settings a key/value store created with {@code requested} reports; by default the same. A
   * backend whose server writes "no limit" differently says so here, so that validation compares like
   * with like.
   */
  protected BufferConfig.Bucket asStored(BufferConfig.Bucket requested) {
    return requested;
  }

  /** Deletes a buffer and what belongs to it; nothing when it does not exist. */
  protected abstract void deleteBuffer(String buffer);

  /** Deletes a key/value store; nothing when it does not exist. */
  protected abstract void deleteKeyValue(String name);

  /** The counts of a buffer whose name is valid. */
  protected abstract BufferInfo info(String buffer);

  @Override
  public final void createBuffers(Collection<String> buffers, BufferConfig config) {
    Objects.requireNonNull(config, "config");
    for (String buffer : names(buffers)) {
      createBuffer(buffer, config);
    }
  }

  @Override
  public final void createBuckets(Collection<String> buckets, BufferConfig config, BucketLayout layout) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(layout, "layout");
    for (String bucket : names(buckets)) {
      keyValues(bucket, layout, Optional.of(config)).forEach((kv, settings) -> createKeyValue(kv, settings.orElseThrow()));
    }
  }

  @Override
  public final ValidationReport validate(Collection<String> buffers, Collection<String> buckets, BucketLayout layout) {
    return validate(buffers, buckets, layout, Optional.empty());
  }

  @Override
  public final ValidationReport validate(Collection<String> buffers, Collection<String> buckets, BucketLayout layout,
      BufferConfig expected) {
    return validate(buffers, buckets, layout, Optional.of(expected));
  }

  private ValidationReport validate(Collection<String> buffers, Collection<String> buckets, BucketLayout layout,
      Optional<BufferConfig> expected) {
    Objects.requireNonNull(layout, "layout");
    var problems = new ArrayList<ValidationReport.Problem>();
    var differences = new ArrayList<ValidationReport.Problem>();
    for (String buffer : names(buffers)) {
      var findings = new Findings();
      inspectBuffer(buffer, expected, findings);
      report(buffer, findings, problems, differences);
    }
    for (String bucket : names(buckets)) {
      keyValues(bucket, layout, expected).forEach((kv, expectedSettings) -> {
        var findings = new Findings();
        Optional<BufferConfig.Bucket> actual = keyValueSettings(kv);
        if (actual.isEmpty()) {
          findings.problem("key/value bucket is missing");
        } else {
          expectedSettings.ifPresent(e -> findings.differences(actual.get().differencesFrom(asStored(e))));
        }
        report(kv, findings, problems, differences);
      });
    }
    return new ValidationReport(problems, differences);
  }

  private static void report(String subject, Findings findings, List<ValidationReport.Problem> problems,
      List<ValidationReport.Problem> differences) {
    findings.problems.forEach(p -> problems.add(new ValidationReport.Problem(subject, p)));
    findings.differences.forEach(d -> differences.add(new ValidationReport.Problem(subject, d)));
  }

  @Override
  public final void deleteBuffers(Collection<String> buffers) {
    for (String buffer : names(buffers)) {
      deleteBuffer(buffer);
    }
  }

  @Override
  public final void deleteBuckets(Collection<String> buckets) {
    for (String bucket : names(buckets)) {
      for (String kv : List.of(BufferNames.offsetTimelineBucket(bucket), BufferNames.processorsBucket(bucket))) {
        deleteKeyValue(kv);
      }
    }
  }

  @Override
  public final BufferInfo bufferInfo(String buffer) {
    requireOpen.run();
    return info(BufferNames.requireValid(buffer));
  }

  /** The key/value stores of a bucket in a layout, each with its expected settings if any. */
  private static Map<String, Optional<BufferConfig.Bucket>> keyValues(String bucket, BucketLayout layout,
      Optional<BufferConfig> config) {
    var kvs = new LinkedHashMap<String, Optional<BufferConfig.Bucket>>();
    kvs.put(BufferNames.offsetTimelineBucket(bucket), config.map(BufferConfig::otBucket));
    if (layout == BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS) {
      kvs.put(BufferNames.processorsBucket(bucket), config.map(BufferConfig::procBucket));
    }
    return kvs;
  }

  private List<String> names(Collection<String> names) {
    Objects.requireNonNull(names, "names");
    requireOpen.run();
    var out = new ArrayList<String>(names.size());
    for (String name : names) {
      out.add(BufferNames.requireValid(name));
    }
    return out;
  }
}

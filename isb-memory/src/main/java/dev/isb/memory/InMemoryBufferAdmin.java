package dev.isb.memory;

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

/** A client's view of the buffers and buckets of an in-memory ISB. Thread-safe: the maps are concurrent. */
final class InMemoryBufferAdmin implements BufferAdmin {

  private final InMemoryStore store;
  private final Map<String, InMemoryBuffer> buffers;
  private final Map<String, BufferConfig.Bucket> buckets;
  private final Runnable requireOpen;

  InMemoryBufferAdmin(InMemoryStore store, Runnable requireOpen) {
    this.store = store;
    this.buffers = store.buffers;
    this.buckets = store.buckets;
    this.requireOpen = requireOpen;
  }

  @Override
  public void createBuffers(Collection<String> names, BufferConfig config) {
    Objects.requireNonNull(config, "config");
    for (String name : validNames(names)) {
      buffers.computeIfAbsent(name, n -> new InMemoryBuffer(n, config));
    }
  }

  @Override
  public void createBuckets(Collection<String> names, BufferConfig config, BucketLayout layout) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(layout, "layout");
    for (String name : validNames(names)) {
      buckets.putIfAbsent(BufferNames.offsetTimelineBucket(name), config.otBucket());
      if (layout == BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS) {
        buckets.putIfAbsent(BufferNames.processorsBucket(name), config.procBucket());
      }
    }
  }

  @Override
  public ValidationReport validate(Collection<String> bufferNames, Collection<String> bucketNames, BucketLayout layout) {
    return validate(bufferNames, bucketNames, layout, Optional.empty());
  }

  @Override
  public ValidationReport validate(Collection<String> bufferNames, Collection<String> bucketNames, BucketLayout layout,
      BufferConfig expected) {
    return validate(bufferNames, bucketNames, layout, Optional.of(expected));
  }

  private ValidationReport validate(Collection<String> bufferNames, Collection<String> bucketNames,
      BucketLayout layout, Optional<BufferConfig> expected) {
    Objects.requireNonNull(layout, "layout");
    var problems = new ArrayList<ValidationReport.Problem>();
    var differences = new ArrayList<ValidationReport.Problem>();
    for (String name : validNames(bufferNames)) {
      InMemoryBuffer buffer = buffers.get(name);
      if (buffer == null) {
        problems.add(new ValidationReport.Problem(name, "buffer (stream and consumer group) is missing"));
      } else {
        expected.ifPresent(e -> {
          buffer.config().stream().differencesFrom(e.stream()).forEach(d -> differences.add(new ValidationReport.Problem(name, d)));
          buffer.config().consumer().differencesFrom(e.consumer()).forEach(d -> differences.add(new ValidationReport.Problem(name, d)));
        });
      }
    }
    for (String name : validNames(bucketNames)) {
      var kvs = new LinkedHashMap<String, Optional<BufferConfig.Bucket>>();
      kvs.put(BufferNames.offsetTimelineBucket(name), expected.map(BufferConfig::otBucket));
      if (layout == BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS) {
        kvs.put(BufferNames.processorsBucket(name), expected.map(BufferConfig::procBucket));
      }
      kvs.forEach((kv, expectedBucket) -> {
        BufferConfig.Bucket actual = buckets.get(kv);
        if (actual == null) {
          problems.add(new ValidationReport.Problem(kv, "key/value bucket is missing"));
        } else {
          expectedBucket.ifPresent(e -> actual.differencesFrom(e).forEach(d -> differences.add(new ValidationReport.Problem(kv, d))));
        }
      });
    }
    return new ValidationReport(problems, differences);
  }

  @Override
  public void deleteBuffers(Collection<String> names) {
    for (String name : validNames(names)) {
      InMemoryBuffer removed = buffers.remove(name);
      if (removed != null) {
        removed.delete();
      }
    }
  }

  @Override
  public void deleteBuckets(Collection<String> names) {
    for (String name : validNames(names)) {
      buckets.remove(BufferNames.offsetTimelineBucket(name));
      buckets.remove(BufferNames.processorsBucket(name));
    }
  }

  @Override
  public BufferInfo bufferInfo(String name) {
    requireOpen.run();
    return store.buffer(name).info();
  }

  private List<String> validNames(Collection<String> names) {
    Objects.requireNonNull(names, "names");
    requireOpen.run();
    var out = new ArrayList<String>(names.size());
    for (String name : names) {
      out.add(BufferNames.requireValid(name));
    }
    return out;
  }
}

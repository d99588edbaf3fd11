package dev.isb.testkit;

import dev.isb.IsbClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Timeout;

/**
 * The executable form of the semantics every ISB backend must show (DESIGN.md, "Semantics every
 * backend must show"): a JUnit 5 suite that a backend's test extends, declaring how to open a client
 * and which {@link BackendFeatures} the backend has.
 *
 * <pre>{@code
 * class InMemoryIsbConformanceTest extends IsbConformanceKit {
 *
 *   @Override
 *   protected IsbClient newClient() {
 *     return InMemoryIsb.create();
 *   }
 *
 *   @Override
 *   protected BackendFeatures features() {
 *     return BackendFeatures.defaults();
 *   }
 * }
 * }</pre>
 *
 * <p>Each test opens a fresh client, works on buffers with random names ({@code kit-<hex>-0}), deletes
 * them and closes the client, so tests never see each other's data, even on a shared server. Tests
 * wait for conditions with deadlines, never for fixed times; proving that something does not happen
 * (a redelivery, a wake-up) is a read whose timeout passes with nothing read. So the tests of one
 * kit may run at the same time: with JUnit's parallel execution enabled
 * ({@code junit.jupiter.execution.parallel.enabled=true}) they do. The kit's own class is not marked,
 * so it runs beside other test classes only where the build makes classes concurrent by default.
 *
 * <p>Each group of tests is a file of its own ({@code WritingConformance}, {@code
 * BufferFullConformance}, ...), on a shared {@code ConformanceGroup} that opens the client and holds
 * the helpers; this class lists the groups as {@code @Nested} classes, each with the sentence it
 * checks, so it reads as the table of contents of the semantics.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class IsbConformanceKit {

  /** Constructor for subclasses. */
  protected IsbConformanceKit() {}

  /**
   * Opens a new client on the backend under test. Called once before each test (the kit closes it
   * after the test), and again if a test closed its client and the kit must clean up.
   */
  protected abstract IsbClient newClient();

  /** What the backend can do; tests of what it cannot are skipped. */
  protected abstract BackendFeatures features();

  @Nested
  @DisplayName("Writing: each message of a batch gets its own result, in order")
  class Writing extends WritingConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }

  @Nested
  @DisplayName("Asynchronous writing: batches in flight together, each with write's results")
  class AsyncWriting extends AsyncWritingConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }

  @Nested
  @DisplayName("Asynchronous acks: acks in flight while the reader reads on, each confirmed when its stage completes")
  class AsyncAck extends AsyncAckConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }

  @Nested
  @DisplayName("Read-ahead: the next read in flight while the caller works, what was not taken given back at close")
  class ReadAhead extends ReadAheadConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }

  @Nested
  @DisplayName("Buffer full: usage = (pending + ackPending) / maxLength, full at usageLimit")
  class BufferFull extends BufferFullConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }

  @Nested
  @DisplayName("Reading: up to N messages, waiting at most T")
  class Reading extends ReadingConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }

  @Nested
  @DisplayName("Ack, nak and redelivery")
  class AckNakAndRedelivery extends AckNakAndRedeliveryConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }

  @Nested
  @DisplayName("Keep-alive of held messages")
  class KeepAlive extends KeepAliveConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }

  @Nested
  @DisplayName("Ordering and consumer groups")
  class OrderingAndConsumerGroups extends OrderingAndConsumerGroupsConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }

  @Nested
  @DisplayName("maxAckPending")
  class MaxAckPending extends MaxAckPendingConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }

  @Nested
  @DisplayName("Retention and limits")
  class RetentionAndLimits extends RetentionAndLimitsConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }

  @Nested
  @DisplayName("Lifecycle: closing is idempotent and final")
  class Lifecycle extends LifecycleConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }

  @Nested
  @DisplayName("Bad input gets a clear, typed error")
  class BadInput extends BadInputConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }

  @Nested
  @DisplayName("Compression: data payloads in the format's frame, as numaflow-core writes them")
  class PayloadCompression extends CompressionConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }

  @Nested
  @DisplayName("Watermark buckets: put, delete and watch every key, or say the backend keeps none")
  class Watermarks extends WatermarkStoreConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }

  @Nested
  @DisplayName("Admin: create, validate, inspect, delete")
  class Admin extends AdminConformance {
    @Override
    IsbConformanceKit kit() {
      return IsbConformanceKit.this;
    }
  }
}

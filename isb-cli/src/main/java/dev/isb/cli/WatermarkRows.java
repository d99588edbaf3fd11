package dev.isb.cli;

import dev.isb.BucketLayout;
import dev.isb.BufferNotFoundException;
import dev.isb.IsbClient;
import dev.isb.MessageDecodeException;
import dev.isb.watermark.ProcessorState;
import dev.isb.watermark.WatermarkStore;
import dev.isb.wire.BufferNames;
import dev.isb.wire.WatermarkCodec;
import dev.isb.wire.Wmb;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What {@code isb info --bucket} shows of a watermark bucket: each processor's newest WMB (the
 * partition it was for, its offset and watermark, whether idle), when it was stored, and the liveness
 * Numaflow would give the processor now (from its heartbeat with {@code --processors}).
 */
final class WatermarkRows {

  private static final Duration CATCH_UP = Duration.ofSeconds(10);

  private WatermarkRows() {}

  /**
   * One processor of a bucket.
   *
   * @param wmb its newest WMB; empty when its value does not decode ({@code problem} says why)
   * @param seenMillis when it last showed it was alive: its entry's creation (v1.8) or heartbeat (v1.7); -1 if never
   * @param status Numaflow's liveness as of now
   */
  record Row(String bucket, String processor, Optional<Wmb> wmb, long seenMillis, ProcessorState.Status status,
      String problem) {}

  /**
   * The processors of {@code bucket}, or empty when its {@code _OT} bucket (or, with heartbeats, its
   * {@code _PROCESSORS} bucket) does not exist.
   */
  static Optional<List<Row>> read(IsbClient client, String bucket, BucketLayout layout, long nowMillis) {
    Map<String, WatermarkStore.Entry> timeline;
    Map<String, WatermarkStore.Entry> heartbeats = Map.of();
    try {
      timeline = current(client, BufferNames.offsetTimelineBucket(bucket));
      if (layout == BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS) {
        heartbeats = current(client, BufferNames.processorsBucket(bucket));
      }
    } catch (BufferNotFoundException e) {
      return Optional.empty();
    }
    List<Row> rows = new ArrayList<>();
    for (WatermarkStore.Entry e : timeline.values()) {
      Optional<Wmb> wmb;
      String problem = "";
      try {
        wmb = Optional.of(WatermarkCodec.decodeWmb(e.value()));
      } catch (MessageDecodeException bad) {
        wmb = Optional.empty();
        problem = bad.getMessage();
      }
      long seen = e.createdMillis();
      if (layout == BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS) {
        WatermarkStore.Entry beat = heartbeats.get(e.key());
        seen = beat == null ? -1 : heartbeatMillis(beat);
      }
      ProcessorState.Status status = seen < 0 ? ProcessorState.Status.DELETED
          : ProcessorState.Status.after(Duration.ofMillis(Math.max(0, nowMillis - seen)));
      rows.add(new Row(bucket, e.key(), wmb, seen, status, problem));
    }
    return Optional.of(rows);
  }

  private static long heartbeatMillis(WatermarkStore.Entry beat) {
    try {
      return WatermarkCodec.decodeHeartbeat(beat.value()) * 1000;
    } catch (MessageDecodeException e) {
      return -1;
    }
  }

  /** The current value of every key, by watching until the replay is over. */
  private static Map<String, WatermarkStore.Entry> current(IsbClient client, String kv) {
    Map<String, WatermarkStore.Entry> values = new LinkedHashMap<>();
    CountDownLatch caughtUp = new CountDownLatch(1);
    WatermarkStore.Listener listener = new WatermarkStore.Listener() {
      @Override
      public void onEntry(WatermarkStore.Entry entry) {
        synchronized (values) {
          if (entry.op() == WatermarkStore.Op.PUT) {
            values.put(entry.key(), entry);
          } else {
            values.remove(entry.key());
          }
        }
      }

      @Override
      public void caughtUp() {
        caughtUp.countDown();
      }
    };
    try (WatermarkStore store = client.watermarkStore(kv)) {
      store.watch(listener);
      if (!caughtUp.await(CATCH_UP.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new CliException(ExitCodes.BACKEND, "bucket '" + kv + "': its values did not arrive within "
            + CATCH_UP.toSeconds() + "s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.BACKEND, "interrupted while reading bucket '" + kv + "'");
    }
    synchronized (values) {
      return new LinkedHashMap<>(values);
    }
  }
}

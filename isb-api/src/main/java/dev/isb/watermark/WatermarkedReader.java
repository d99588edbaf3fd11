package dev.isb.watermark;

import dev.isb.BufferReader;
import dev.isb.Kind;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import dev.isb.spi.ForwardingBufferReader;
import dev.isb.wire.Wmb;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link BufferReader} that reads as numaflow-core's ISB reader does with watermarks on: each
 * message gets the vertex's input watermark as of its offset; control messages (Numaflow's WMB kind,
 * written by an idle upstream) are acked at once and never delivered; a read that finds nothing asks
 * whether every upstream processor says the partition is idle. Made by {@link WatermarkFetcher#track}.
 * Thread-safe if the reader it wraps is.
 */
public final class WatermarkedReader extends ForwardingBufferReader {

  private final WatermarkFetcher fetcher;
  private volatile Optional<Wmb> idle = Optional.empty();

  WatermarkedReader(BufferReader reader, WatermarkFetcher fetcher) {
    super(reader);
    this.fetcher = fetcher;
  }

  @Override
  public List<ReadMessage> read(int maxMessages, Duration maxWait) {
    return watermarked(delegate.read(maxMessages, maxWait));
  }

  @Override
  public List<ReadMessage> read() {
    return watermarked(delegate.read());
  }

  private List<ReadMessage> watermarked(List<ReadMessage> batch) {
    if (batch.isEmpty()) {
      idle = fetcher.idle(delegate.partition());
      return batch;
    }
    int controls = 0;
    for (ReadMessage m : batch) {
      controls += m.message().kind() == Kind.WMB ? 1 : 0;
    }
    List<ReadMessage> data = new ArrayList<>(batch.size() - controls);
    long[] offsets = new long[batch.size() - controls];
    List<Offset> control = new ArrayList<>(controls);
    for (ReadMessage m : batch) {
      if (m.message().kind() == Kind.WMB) {
        control.add(m.offset());
      } else {
        offsets[data.size()] = sequence(m.offset());
        data.add(m);
      }
    }
    if (!control.isEmpty()) {
      delegate.ack(control);
    }
    if (data.isEmpty()) {
      return data;
    }
    long[] watermarks = fetcher.fetch(offsets, delegate.partition());
    for (int i = 0; i < data.size(); i++) {
      data.set(i, data.get(i).withWatermark(watermarks[i]));
    }
    idle = Optional.empty();
    return data;
  }

  private static long sequence(Offset offset) {
    long sequence = offset.sequenceNumber();
    if (sequence < 0) {
      throw new IllegalStateException("buffer '" + offset.buffer() + "': offset " + offset
          + " is not a stream sequence; watermarks need one");
    }
    return sequence;
  }

  /**
   * Whether the last read found nothing while every active upstream processor said this partition is
   * idle: then the lowest of their idle WMBs, whose watermark already counts for this partition.
   */
  public Optional<Wmb> idle() {
    return idle;
  }

  /** The vertex's input watermark: the lowest over every tracked edge and partition; -1 while unknown. */
  @Override
  public long watermark() {
    return fetcher.current();
  }

  @Override
  public String toString() {
    return "watermarked " + delegate;
  }
}

package dev.isb.watermark;

import dev.isb.BufferReader;
import dev.isb.Kind;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import dev.isb.wire.Wmb;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

/**
 * A {@link BufferReader} that reads as numaflow-core's ISB reader does with watermarks on: each
 * message gets the vertex's input watermark as of its offset; control messages (Numaflow's WMB kind,
 * written by an idle upstream) are acked at once and never delivered; a read that finds nothing asks
 * whether every upstream processor says the partition is idle. Made by {@link WatermarkFetcher#track}.
 * Thread-safe if the reader it wraps is.
 */
public final class WatermarkedReader implements BufferReader {

  private final BufferReader reader;
  private final WatermarkFetcher fetcher;
  private volatile Optional<Wmb> idle = Optional.empty();

  WatermarkedReader(BufferReader reader, WatermarkFetcher fetcher) {
    this.reader = reader;
    this.fetcher = fetcher;
  }

  @Override
  public List<ReadMessage> read(int maxMessages, Duration maxWait) {
    return watermarked(reader.read(maxMessages, maxWait));
  }

  @Override
  public List<ReadMessage> read() {
    return watermarked(reader.read());
  }

  private List<ReadMessage> watermarked(List<ReadMessage> batch) {
    if (batch.isEmpty()) {
      idle = fetcher.idle(reader.partition());
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
      reader.ack(control);
    }
    if (data.isEmpty()) {
      return data;
    }
    long[] watermarks = fetcher.fetch(offsets, reader.partition());
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
  public String buffer() {
    return reader.buffer();
  }

  @Override
  public int partition() {
    return reader.partition();
  }

  @Override
  public void ack(Collection<? extends Offset> offsets) {
    reader.ack(offsets);
  }

  @Override
  public CompletionStage<Void> ackAsync(Collection<? extends Offset> offsets) {
    return reader.ackAsync(offsets);
  }

  @Override
  public void nak(Collection<? extends Offset> offsets, Duration delay) {
    reader.nak(offsets, delay);
  }

  @Override
  public void keepAlive(Collection<? extends Offset> offsets) {
    reader.keepAlive(offsets);
  }

  @Override
  public OptionalLong pending() {
    return reader.pending();
  }

  @Override
  public long recoveries() {
    return reader.recoveries();
  }

  @Override
  public void close() {
    reader.close();
  }

  @Override
  public String toString() {
    return "watermarked " + reader;
  }
}

package dev.isb.memory;

import dev.isb.BufferConfig;
import dev.isb.BufferInfo;
import dev.isb.BufferNotFoundException;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.ReadMessage;
import dev.isb.Retention;
import dev.isb.wire.BufferNames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One in-memory buffer (stream) with its one consumer group, as a JetStream stream with its durable
 * pull consumer behaves.
 *
 * <p>Design: every piece of state is guarded by one lock, and one condition wakes readers when
 * anything changes. Each delivered, un-acked message has a {@link Delivery} with a deadline; ack
 * removes it; ackWait expiry, nak (deadline = now + delay) and keep-alive (deadline = now + ackWait)
 * are all the same move of that deadline. Deadlines sit in a priority queue of {@link Timer}s that is
 * cleaned lazily: a timer whose generation no longer matches its delivery's is stale and skipped.
 * Time is {@link System#nanoTime()}.
 */
final class InMemoryBuffer {

  private final String name;
  private final int partition;
  private final BufferConfig config;
  private final long ackWaitNanos;
  private final long duplicatesNanos;
  private final long maxAgeNanos;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  private final TreeMap<Long, Entry> entries = new TreeMap<>();
  private final Map<Long, Delivery> deliveries = new HashMap<>();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>(Comparator.comparingLong(Timer::deadline));
  private final LinkedHashMap<String, Dedup> dedup = new LinkedHashMap<>();
  private long lastSeq;
  private long bytes;
  /** The next sequence to deliver for the first time. */
  private long cursor = 1;
  private boolean deleted;

  private record Entry(Message message, long writtenAt, long size) {}

  private record Timer(long deadline, long seq, int generation) {}

  private record Dedup(long seq, long expiresAt) {}

  private static final class Delivery {
    long count;
    int generation;
    Object owner;
  }

  /** What {@link #append} did. */
  enum Outcome { WRITTEN, DUPLICATE, NO_ROOM }

  /** The outcome of an append and the sequence it is about (0 for NO_ROOM). */
  record Appended(Outcome outcome, long seq) {}

  InMemoryBuffer(String name, BufferConfig config) {
    this.name = name;
    this.partition = BufferNames.partitionOf(name);
    this.config = config;
    this.ackWaitNanos = config.consumer().ackWait().toNanos();
    this.duplicatesNanos = config.stream().duplicates().toNanos();
    this.maxAgeNanos = config.stream().maxAge().toNanos();
  }

  String name() {
    return name;
  }

  int partition() {
    return partition;
  }

  BufferConfig config() {
    return config;
  }

  /** Appends one message, de-duplicating DATA messages by id inside the duplicates window. */
  Appended append(Message message) {
    return locked(() -> {
      requireExists();
      long now = System.nanoTime();
      expire(now);
      String key = null;
      if (message.kind() == Kind.DATA && duplicatesNanos > 0) {
        key = message.id().dedupKey();
        Dedup seen = dedup.get(key);
        if (seen != null) {
          return new Appended(Outcome.DUPLICATE, seen.seq());
        }
      }
      long size = message.payload().length;
      var stream = config.stream();
      if (stream.retention() != Retention.LIMITS && !hasRoomFor(size)) {
        return new Appended(Outcome.NO_ROOM, 0);
      }
      long seq = ++lastSeq;
      entries.put(seq, new Entry(message, now, size));
      bytes += size;
      if (key != null) {
        dedup.put(key, new Dedup(seq, now + duplicatesNanos));
      }
      if (stream.retention() == Retention.LIMITS) {
        while ((stream.maxMsgs() > 0 && entries.size() > stream.maxMsgs())
            || (stream.maxBytes() > 0 && bytes > stream.maxBytes() && entries.size() > 1)) {
          removeOldest();
        }
      }
      changed.signalAll();
      return new Appended(Outcome.WRITTEN, seq);
    });
  }

  private boolean hasRoomFor(long size) {
    var stream = config.stream();
    return (stream.maxMsgs() <= 0 || entries.size() < stream.maxMsgs())
        && (stream.maxBytes() <= 0 || bytes + size <= stream.maxBytes());
  }

  /**
   * Delivers up to {@code max} messages to {@code reader}: due redeliveries first, then new messages
   * while the group holds fewer than maxAckPending. Waits up to {@code waitNanos} for the first one.
   */
  List<ReadMessage> read(Object reader, int max, long waitNanos, InMemoryBufferReader.Liveness liveness) {
    long deadline = System.nanoTime() + waitNanos;
    return locked(() -> {
      while (true) {
        requireExists();
        if (!liveness.open()) {
          return List.of();
        }
        long now = System.nanoTime();
        expire(now);
        List<ReadMessage> out = collect(reader, max, now);
        long remaining = deadline - now;
        if (!out.isEmpty() || remaining <= 0) {
          return out;
        }
        Timer next = timers.peek();
        long wait = next == null ? remaining : Math.min(remaining, Math.max(1, next.deadline() - now));
        try {
          changed.awaitNanos(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return List.of();
        }
      }
    });
  }

  private List<ReadMessage> collect(Object reader, int max, long now) {
    var out = new ArrayList<ReadMessage>(Math.min(max, 64));
    while (out.size() < max && !timers.isEmpty() && timers.peek().deadline() <= now) {
      Timer t = timers.poll();
      Delivery d = deliveries.get(t.seq());
      if (d == null || d.generation != t.generation()) {
        continue;
      }
      Entry e = entries.get(t.seq());
      if (e == null) {
        deliveries.remove(t.seq());
        continue;
      }
      d.count++;
      d.owner = reader;
      schedule(t.seq(), d, now + ackWaitNanos);
      out.add(new ReadMessage(e.message(), new InMemoryOffset(this, t.seq()), d.count));
    }
    long maxAckPending = config.consumer().maxAckPending();
    while (out.size() < max && cursor <= lastSeq && deliveries.size() < maxAckPending) {
      long seq = cursor++;
      Entry e = entries.get(seq);
      if (e == null) {
        continue;
      }
      var d = new Delivery();
      d.count = 1;
      d.owner = reader;
      deliveries.put(seq, d);
      schedule(seq, d, now + ackWaitNanos);
      out.add(new ReadMessage(e.message(), new InMemoryOffset(this, seq), 1));
    }
    return out;
  }

  private void schedule(long seq, Delivery d, long deadline) {
    d.generation++;
    timers.add(new Timer(deadline, seq, d.generation));
  }

  /** Acks: the group forgets the deliveries; under Interest and WorkQueue the messages go too. */
  void ack(Collection<Long> seqs) {
    signalling(() -> {
      requireExists();
      for (long seq : seqs) {
        if (deliveries.remove(seq) != null && config.stream().retention() != Retention.LIMITS) {
          Entry e = entries.remove(seq);
          if (e != null) {
            bytes -= e.size();
          }
        }
      }
    });
  }

  /** Makes delivered messages due for redelivery after {@code delayNanos}. */
  void nak(Collection<Long> seqs, long delayNanos) {
    signalling(() -> {
      requireExists();
      long now = System.nanoTime();
      for (long seq : seqs) {
        Delivery d = deliveries.get(seq);
        if (d != null) {
          schedule(seq, d, now + delayNanos);
        }
      }
    });
  }

  /**
   * Restarts the ackWait of the messages {@code reader} holds; returns the sequences it no longer
   * holds (acked, or redelivered to another reader), so the caller can stop keeping them alive.
   */
  List<Long> keepAlive(Object reader, Collection<Long> seqs) {
    return locked(() -> {
      requireExists();
      long now = System.nanoTime();
      var lost = new ArrayList<Long>();
      for (long seq : seqs) {
        Delivery d = deliveries.get(seq);
        if (d != null && d.owner == reader) {
          schedule(seq, d, now + ackWaitNanos);
        } else {
          lost.add(seq);
        }
      }
      return lost;
    });
  }

  /** Pending (not yet delivered) and ack-pending counts, and the stored total, Numaflow style. */
  BufferInfo info() {
    return locked(() -> {
      requireExists();
      expire(System.nanoTime());
      long pending = Math.max(0, lastSeq - cursor + 1);
      long ackPending = deliveries.size();
      long total = config.stream().retention() == Retention.LIMITS ? pending + ackPending : entries.size();
      return new BufferInfo(name, pending, ackPending, total);
    });
  }

  /** The stored message count, for the non-Limits "solid" usage. */
  long storedMessages() {
    return locked(() -> {
      requireExists();
      return (long) entries.size();
    });
  }

  /** Marks the buffer deleted and wakes everyone waiting on it. */
  void delete() {
    signalling(() -> deleted = true);
  }

  /** Wakes readers waiting on this buffer, e.g. because one of them is closing. */
  void wakeReaders() {
    signalling(() -> { });
  }

  private <T> T locked(Supplier<T> action) {
    lock.lock();
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code change} under the lock and wakes every reader waiting for one. */
  private void signalling(Runnable change) {
    lock.lock();
    try {
      change.run();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void requireExists() {
    if (deleted) {
      throw new BufferNotFoundException(name, null);
    }
  }

  /** Drops messages older than maxAge and de-duplication ids older than the window. */
  private void expire(long now) {
    if (maxAgeNanos > 0) {
      while (!entries.isEmpty() && now - entries.firstEntry().getValue().writtenAt() > maxAgeNanos) {
        removeOldest();
      }
    }
    for (Iterator<Dedup> it = dedup.values().iterator(); it.hasNext(); ) {
      if (it.next().expiresAt() - now > 0) {
        break;
      }
      it.remove();
    }
  }

  private void removeOldest() {
    var oldest = entries.pollFirstEntry();
    bytes -= oldest.getValue().size();
    deliveries.remove(oldest.getKey());
    cursor = Math.max(cursor, oldest.getKey() + 1);
  }

  @Override
  public String toString() {
    return "InMemoryBuffer{" + name + ", ackWait=" + TimeUnit.NANOSECONDS.toMillis(ackWaitNanos) + "ms}";
  }
}

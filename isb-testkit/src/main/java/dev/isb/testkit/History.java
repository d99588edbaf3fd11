package dev.isb.testkit;

import dev.isb.MessageId;
import dev.isb.ReadMessage;
import dev.isb.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Jepsen-style record of what clients saw during a run: every write result and every message read,
 * with the time it happened, and the check of the ISB's promises against it. Record from any thread;
 * {@link #check()} when the run is over.
 *
 * <p>The promises checked: every message whose write was reported {@code Written} or
 * {@code Duplicate} (acknowledged) is read at least once (<em>nothing acknowledged is lost</em>), and no
 * two entries of the buffer carry the same {@link MessageId} (<em>retries never duplicate</em>: one id
 * read at two offsets means it was stored twice). Redelivery of one entry is allowed
 * (at-least-once) and counted.
 *
 * <pre>{@code
 * History history = new History();
 * history.written(message.id(), result);   // from the writer
 * history.read(readMessage);               // from the reader
 * History.Report report = history.check();
 * assertThat(report.lost()).isEmpty();
 * }</pre>
 */
public final class History {

  private final long start = System.nanoTime();
  private final Object lock = new Object();
  private final Set<MessageId> attempted = new HashSet<>();
  private final Set<MessageId> acknowledged = new HashSet<>();
  private final Map<MessageId, Set<String>> offsetsById = new HashMap<>();
  private final Set<String> offsetsRead = new HashSet<>();
  private final List<Long> readTimes = new ArrayList<>();
  private long reads;
  private long redeliveries;
  private long writeFailures;
  private long readErrors;
  private long ackErrors;

  /** Records the result of one message's write. */
  public void written(MessageId id, WriteResult result) {
    synchronized (lock) {
      attempted.add(id);
      if (result instanceof WriteResult.Written || result instanceof WriteResult.Duplicate) {
        acknowledged.add(id);
      } else {
        writeFailures++;
      }
    }
  }

  /** Records a write call that threw instead of returning results: none of its messages is acknowledged. */
  public void writeThrew(List<MessageId> ids) {
    synchronized (lock) {
      attempted.addAll(ids);
      writeFailures += ids.size();
    }
  }

  /** Records one message read. */
  public void read(ReadMessage message) {
    long now = System.nanoTime();
    String offset = message.offset().toString();
    synchronized (lock) {
      reads++;
      if (!offsetsRead.add(offset)) {
        redeliveries++;
      }
      offsetsById.computeIfAbsent(message.message().id(), id -> new HashSet<>()).add(offset);
      readTimes.add(now);
    }
  }

  /** Records a read call that failed. */
  public void readFailed() {
    synchronized (lock) {
      readErrors++;
    }
  }

  /** Records an ack call that failed; its messages will come again. */
  public void ackFailed() {
    synchronized (lock) {
      ackErrors++;
    }
  }

  /** How many distinct acknowledged messages have been read so far. */
  public long acknowledgedRead() {
    synchronized (lock) {
      return acknowledged.stream().filter(offsetsById::containsKey).count();
    }
  }

  /** How many distinct messages have been acknowledged so far. */
  public long acknowledgedCount() {
    synchronized (lock) {
      return acknowledged.size();
    }
  }

  /** How many write failures have been recorded so far. */
  public long writeFailureCount() {
    synchronized (lock) {
      return writeFailures;
    }
  }

  /** How many messages have been read so far, redeliveries included. */
  public long readCount() {
    synchronized (lock) {
      return reads;
    }
  }

  /** Checks the history recorded so far. */
  public Report check() {
    synchronized (lock) {
      Set<MessageId> lost = new TreeSet<>(History::compare);
      for (MessageId id : acknowledged) {
        if (!offsetsById.containsKey(id)) {
          lost.add(id);
        }
      }
      Map<MessageId, Set<String>> duplicated = new HashMap<>();
      offsetsById.forEach((id, offsets) -> {
        if (offsets.size() > 1) {
          duplicated.put(id, Set.copyOf(offsets));
        }
      });
      long unacknowledgedRead = offsetsById.keySet().stream().filter(id -> !acknowledged.contains(id)).count();
      return new Report(attempted.size(), acknowledged.size(), writeFailures, reads, offsetsById.size(),
          redeliveries, unacknowledgedRead, List.copyOf(lost), Map.copyOf(duplicated), longestGap(),
          readErrors, ackErrors, Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private Duration longestGap() {
    long longest = 0;
    for (int i = 1; i < readTimes.size(); i++) {
      longest = Math.max(longest, readTimes.get(i) - readTimes.get(i - 1));
    }
    return Duration.ofNanos(longest);
  }

  private static int compare(MessageId a, MessageId b) {
    int byVertex = a.vertexName().compareTo(b.vertexName());
    if (byVertex != 0) {
      return byVertex;
    }
    int byLength = Integer.compare(a.offset().length(), b.offset().length());
    int byOffset = byLength != 0 ? byLength : a.offset().compareTo(b.offset());
    return byOffset != 0 ? byOffset : Integer.compare(a.index(), b.index());
  }

  /**
   * What a history shows.
   *
   * @param attempted distinct messages a write was attempted for
   * @param acknowledged distinct messages reported {@code Written} or {@code Duplicate}
   * @param writeFailures write results that were failures (a retried message counts each time)
   * @param reads messages read, redeliveries included
   * @param distinctRead distinct message ids read
   * @param redeliveries reads of an entry already read before
   * @param unacknowledgedRead distinct messages read whose write was never acknowledged (a write that
   *     failed on the client but was stored: allowed)
   * @param lost acknowledged messages never read: must be empty
   * @param duplicated ids stored at more than one offset: must be empty
   * @param longestStall the longest time between two reads
   * @param readErrors read calls that failed
   * @param ackErrors ack calls that failed
   * @param duration from the history's creation to the check
   */
  public record Report(long attempted, long acknowledged, long writeFailures, long reads, long distinctRead,
      long redeliveries, long unacknowledgedRead, List<MessageId> lost, Map<MessageId, Set<String>> duplicated,
      Duration longestStall, long readErrors, long ackErrors, Duration duration) {

    /** Whether nothing acknowledged was lost and nothing was stored twice. */
    public boolean holds() {
      return lost.isEmpty() && duplicated.isEmpty();
    }

    /** One line with every figure, for logs and docs. */
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "attempted %d, acknowledged %d, write failures %d, read %d (%d distinct, "
          + "%d redelivered, %d unacknowledged writes stored), lost %d, duplicated %d, longest stall %d ms, "
          + "read errors %d, ack errors %d, %.1f s", attempted, acknowledged, writeFailures, reads, distinctRead,
          redeliveries, unacknowledgedRead, lost.size(), duplicated.size(), longestStall.toMillis(), readErrors,
          ackErrors, duration.toMillis() / 1000.0)
          + (lost.isEmpty() ? "" : "; first lost: " + lost.subList(0, Math.min(5, lost.size())))
          + (duplicated.isEmpty() ? "" : "; duplicated: " + duplicated.entrySet().stream().limit(5).toList());
    }
  }
}

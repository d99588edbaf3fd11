package dev.isb.vertex;

import dev.isb.BufferReader;
import dev.isb.IsbException;
import dev.isb.Kind;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One input partition's loop: read a batch, apply the function to each input, write the outputs,
 * ack the inputs that are done and nak the rest. The stages overlap, as numaflow-core's do: with
 * read-ahead a thread reads the next batch while this one applies the function and starts the writes
 * ({@link dev.isb.BufferWriter#writeAsync}), and a settling thread waits for each batch's writes, retries
 * what failed retryably, and acks or naks its inputs, batch after batch in read order, while the
 * next batches are already on their way. At most {@link Stages#batches} batches and
 * {@link Stages#bytes} input bytes are between the function and their acks; with one batch the loop
 * settles each batch itself before it takes the next.
 */
final class PartitionLoop implements Runnable {

  private static final System.Logger LOG = System.getLogger(PartitionLoop.class.getName());
  private static final Duration READ_ERROR_BACKOFF = Duration.ofMillis(200);
  /** How often a read-ahead partition's threads look up from their hand-over (shutdown, a dead stage). */
  private static final Duration HANDOFF_POLL = Duration.ofMillis(50);

  private final Forwarder forwarder;
  private final BufferReader reader;
  private final ForwarderMetrics.Input meters;
  private final ForwarderMetrics metrics;
  private final OutputWrites writes;
  private final VertexFunction function;
  private final RetryPolicy retryPolicy;
  private final int maxInFlight;
  private final VertexWatermarks watermarks;
  /** A sink vertex's writes to its sink, in the NUMAFLOW style; null otherwise. */
  private final ForwarderMetrics.Output sinkMeters;
  private final Stages stages;
  private final DeadLetters deadLetters;
  /** The settling stage, while the loop runs with more than one batch in flight; null otherwise. */
  private Settler settler;
  /** The error of the last synchronous call that used up its attempts; null after any other. */
  private Throwable gaveUpWith;
  private long lastPendingCheck;

  /**
   * @param watermarks the vertex's watermarks; null when it does not take part in them
   */
  PartitionLoop(Forwarder forwarder, BufferReader reader, ForwarderMetrics.Input meters,
      List<Forwarder.Route> routes, VertexFunction function, RetryPolicy retryPolicy, int maxInFlight,
      VertexWatermarks watermarks, Stages stages) {
    this.forwarder = forwarder;
    this.reader = reader;
    this.meters = meters;
    this.metrics = forwarder.metrics();
    this.sinkMeters = forwarder.sinkMeters();
    this.writes = new OutputWrites(forwarder, reader.buffer(), meters, routes, watermarks);
    this.function = function;
    this.retryPolicy = retryPolicy;
    this.maxInFlight = maxInFlight;
    this.watermarks = watermarks;
    this.stages = stages;
    this.deadLetters = forwarder.deadLetters();
  }

  String buffer() {
    return reader.buffer();
  }

  @Override
  public void run() {
    Settler started = stages.batches() > 1
        ? new Settler(buffer(), stages, this::complete, abandoned -> giveBack(abandoned.inputs)) : null;
    settler = started;
    try {
      if (stages.readAhead()) {
        runReadingAhead();
        return;
      }
      while (forwarder.running()) {
        requireSettling();
        Fetched fetched = fetch();
        if (fetched != null) {
          forward(fetched.batch(), fetched.readStart());
        }
      }
    } finally {
      if (started != null) {
        started.finish();
      }
    }
  }

  /**
   * Reads on a thread of its own, one batch ahead: while this thread maps and writes batch N, the
   * reader thread reads batch N+1 and waits to hand it over (numaflow-core's read-ahead), one batch
   * beyond those in flight. A batch read but not handed over at shutdown is nakked.
   */
  private void runReadingAhead() {
    SynchronousQueue<Fetched> handoff = new SynchronousQueue<>();
    AtomicReference<Throwable> died = new AtomicReference<>();
    // Cleared when this thread stops, also on an error while the forwarder runs on.
    AtomicBoolean reading = new AtomicBoolean(true);
    Thread readerThread = new Thread(() -> {
      try {
        readAhead(handoff, reading);
      } catch (Throwable t) {
        died.set(t);
      }
    }, Thread.currentThread().getName() + "-read");
    readerThread.start();
    try {
      while (forwarder.running() && readerThread.isAlive()) {
        requireSettling();
        Fetched fetched = handoff.poll(HANDOFF_POLL.toNanos(), TimeUnit.NANOSECONDS);
        if (fetched != null) {
          forward(fetched.batch(), fetched.readStart());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      reading.set(false);
      stop(readerThread);
    }
    if (died.get() != null) {
      throw new IllegalStateException("reading '" + buffer() + "' stopped on an error", died.get());
    }
  }

  /** The reader thread: reads, and hands each batch over, until the forwarder or the partition stops. */
  private void readAhead(SynchronousQueue<Fetched> handoff, AtomicBoolean reading) {
    while (reading.get() && forwarder.running() && !Thread.currentThread().isInterrupted()) {
      Fetched fetched = fetch();
      if (fetched == null) {
        continue;
      }
      boolean handed = false;
      try {
        while (!handed && reading.get() && forwarder.running()) {
          handed = handoff.offer(fetched, HANDOFF_POLL.toNanos(), TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (!handed) {
        giveBack(fetched.batch());
        return;
      }
    }
  }

  /** Waits for the reader thread to stop (it stops reading within one read timeout), interrupting it at the deadline. */
  private void stop(Thread readerThread) {
    boolean interrupted = Thread.interrupted();
    while (readerThread.isAlive()) {
      if (interrupted || forwarder.deadline().passed()) {
        readerThread.interrupt();
      }
      try {
        readerThread.join(HANDOFF_POLL.toMillis());
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One read: null when it found nothing or failed (the failure counted, logged and paused on). The
   * batch's watermark counts as in flight from here.
   */
  private Fetched fetch() {
    List<ReadMessage> batch;
    long start = System.nanoTime();
    try {
      batch = reader.read();
    } catch (IsbException e) {
      meters.readErrors.increment();
      LOG.log(System.Logger.Level.WARNING, "vertex ''{0}'': reading ''{1}'' failed, retrying: {2}",
          forwarder.vertex(), buffer(), e.getMessage());
      forwarder.deadline().pause(READ_ERROR_BACKOFF);
      return null;
    } catch (RuntimeException e) {
      if (!forwarder.running()) {
        return null;
      }
      // A backend error that escaped translation is a bug, but stopping the partition would stall it.
      meters.readErrors.increment();
      LOG.log(System.Logger.Level.ERROR, "vertex '" + forwarder.vertex() + "': reading '" + buffer()
          + "' failed unexpectedly, retrying", e);
      forwarder.deadline().pause(READ_ERROR_BACKOFF);
      return null;
    }
    meters.readCall(System.nanoTime() - start);
    if (!meters.pendingFromPoller() && System.nanoTime() - lastPendingCheck > TimeUnit.SECONDS.toNanos(1)) {
      lastPendingCheck = System.nanoTime();
      recordPending();
    }
    if (batch.isEmpty()) {
      return null;
    }
    for (ReadMessage read : batch) {
      meters.read(read.message().kind() == Kind.DATA, read.message().payload().length, read.deliveryCount());
    }
    if (watermarks != null) {
      watermarks.reading(reader.partition(), batch.get(0).watermark());
    }
    return new Fetched(batch, start);
  }

  /** Stops the partition (throws) once its settling thread has died: nothing it reads would be settled. */
  private void requireSettling() {
    if (settler != null) {
      settler.requireAlive();
    }
  }

  /**
   * Hands a batch back to the buffer (nak): one read ahead at shutdown, or one that will never be
   * settled. Its outputs, if any were written, are duplicates when it comes again.
   */
  private void giveBack(List<ReadMessage> batch) {
    nak(batch.stream().map(ReadMessage::offset).toList(), Duration.ZERO);
    if (watermarks != null) {
      watermarks.settled(reader.partition());
    }
  }

  /** Naks, counting and logging a failure (those messages come again after ackWait); never throws. */
  private void nak(List<Offset> offsets, Duration delay) {
    try {
      reader.nak(offsets, delay);
      meters.naks.increment(offsets.size());
    } catch (RuntimeException e) {
      meters.ackErrors.increment(offsets.size());
      LOG.log(System.Logger.Level.WARNING, "vertex ''{0}'': nakking {1} message(s) of ''{2}'' failed; they "
          + "will be delivered again after ackWait: {3}", forwarder.vertex(), offsets.size(), buffer(),
          e.getMessage());
    }
  }

  private void recordPending() {
    try {
      meters.pending.set(reader.pending().orElse(-1));
    } catch (IsbException e) {
      meters.pending.set(-1);
    }
  }

  /**
   * Forwards one batch: applies the function and starts the writes, then settles the batch (waits for
   * its writes, acks or naks every input), or hands it to the settling thread, which will.
   */
  void forward(List<ReadMessage> inputs, long start) {
    InFlightBatch batch = new InFlightBatch(inputs, start, deadLetters != null, stages.bytes());
    Settler settling = settler;
    if (settling != null) {
      try {
        settling.admit(batch);
      } catch (IllegalStateException settlingDied) {
        giveBack(inputs);
        throw settlingDied;
      }
    }
    try {
      List<Datum> data = new ArrayList<>(inputs.size());
      for (ReadMessage read : inputs) {
        data.add(Datum.of(read));
      }
      writes.startWrites(batch, data, apply(batch, data));
    } catch (RuntimeException | Error e) {
      batch.failed.set(0, inputs.size()); // a bug of ours or of the function's: nothing of the batch may be acked
      throw e;
    } finally {
      if (settling != null) {
        settling.submit(batch);
      } else {
        complete(batch);
      }
    }
  }

  /** Waits for the batch's writes, retries what failed retryably, and acks or naks every input; never throws. */
  private void complete(InFlightBatch batch) {
    try {
      writes.finishWrites(batch);
    } finally {
      int acked = settle(batch);
      if (watermarks != null) {
        watermarks.settled(reader.partition());
      }
      meters.processed(System.nanoTime() - batch.readStart, acked);
    }
  }

  /**
   * The outputs of each input, in input order; a control (watermark) message has none. An input whose
   * function failed every attempt is set in the batch's {@code failed} and has none.
   */
  private List<List<Output>> apply(InFlightBatch batch, List<Datum> data) {
    List<List<Output>> outputs = new ArrayList<>(data.size());
    if (function.sync() != null) {
      for (int i = 0; i < data.size(); i++) {
        Datum datum = data.get(i);
        gaveUpWith = null;
        List<Output> result = datum.message().kind() == Kind.DATA && !forwarder.deadline().passed()
            ? callWithRetry(datum) : null;
        if (result == null && datum.message().kind() == Kind.DATA) {
          batch.failed.set(i);
          batch.failedBy(i, gaveUpWith);
        }
        outputs.add(result == null ? List.of() : result);
      }
      return outputs;
    }
    return applyAsync(batch, data);
  }

  private List<Output> callWithRetry(Datum datum) {
    for (int attempt = 1; ; attempt++) {
      long start = System.nanoTime();
      Throwable error;
      try {
        List<Output> result = function.sync().apply(datum);
        called(datum, System.nanoTime() - start, result);
        if (result != null) {
          return result;
        }
        error = new NullPointerException("the function returned null instead of a list");
      } catch (Exception e) {
        called(datum, System.nanoTime() - start, null);
        error = e;
      }
      metrics.udfErrors().increment();
      if (attempt >= retryPolicy.maxAttempts() || forwarder.deadline().passed() || Thread.currentThread().isInterrupted()) {
        logGaveUp(datum, attempt, error);
        gaveUpWith = attempt >= retryPolicy.maxAttempts() ? error : null;
        return null;
      }
      forwarder.deadline().pause(retryPolicy.backoffBefore(attempt + 1));
    }
  }

  private List<List<Output>> applyAsync(InFlightBatch batch, List<Datum> data) {
    Semaphore permits = new Semaphore(maxInFlight);
    List<CompletableFuture<List<Output>>> calls = new ArrayList<>(data.size());
    for (Datum datum : data) {
      if (datum.message().kind() != Kind.DATA) {
        calls.add(CompletableFuture.completedFuture(List.of()));
        continue;
      }
      try {
        while (!permits.tryAcquire(10, TimeUnit.MILLISECONDS)) {
          if (forwarder.deadline().passed()) {
            throw new InterruptedException("shutdown deadline passed");
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        calls.add(CompletableFuture.failedFuture(e));
        continue;
      }
      CompletableFuture<List<Output>> call = callAsync(datum, 1);
      call.whenComplete((r, e) -> permits.release());
      calls.add(call);
    }
    List<List<Output>> outputs = new ArrayList<>(data.size());
    for (int i = 0; i < calls.size(); i++) {
      CompletableFuture<List<Output>> call = calls.get(i);
      try {
        if (forwarder.deadline().await(call) && !call.isCompletedExceptionally()) {
          outputs.add(call.join());
          continue;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      batch.failed.set(i);
      if (call.isCompletedExceptionally()) {
        batch.failedBy(i, call.handle((result, error) -> error instanceof CompletionException c ? c.getCause() : error)
            .join());
      }
      outputs.add(List.of());
    }
    return outputs;
  }

  private CompletableFuture<List<Output>> callAsync(Datum datum, int attempt) {
    long start = System.nanoTime();
    CompletableFuture<List<Output>> call;
    try {
      call = Objects.requireNonNull(function.async().apply(datum), "the function returned a null stage")
          .toCompletableFuture();
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    return call.handle((result, error) -> {
      called(datum, System.nanoTime() - start, error == null ? result : null);
      if (error == null && result != null) {
        return CompletableFuture.completedFuture(result);
      }
      Throwable cause = error == null ? new NullPointerException("the function completed with null")
          : error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      metrics.udfErrors().increment();
      if (attempt >= retryPolicy.maxAttempts() || forwarder.deadline().passed()) {
        logGaveUp(datum, attempt, cause);
        return CompletableFuture.<List<Output>>failedFuture(cause);
      }
      long wait = retryPolicy.backoffBefore(attempt + 1).toNanos();
      return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS))
          .thenCompose(ignored -> callAsync(datum, attempt + 1));
    }).thenCompose(stage -> stage);
  }

  /**
   * Meters one call of the function: a sink's as a write to its sink (NUMAFLOW style), any other as a
   * call of the vertex function; {@code result} null when the call failed.
   */
  private void called(Datum datum, long nanos, List<Output> result) {
    if (sinkMeters == null) {
      metrics.udfCall(nanos, result == null ? 0 : result.size());
      return;
    }
    sinkMeters.writeCall(nanos, 1);
    if (result != null) {
      sinkMeters.stored(datum.message().payload().length);
    }
  }

  private void logGaveUp(Datum datum, int attempts, Throwable error) {
    LOG.log(System.Logger.Level.WARNING, "vertex ''{0}'': the function failed {1} time(s) on ''{2}'' offset {3} "
        + "(delivery {4}); it will be delivered again: {5}", forwarder.vertex(), attempts, buffer(),
        datum.offset(), datum.deliveryCount(), String.valueOf(error));
  }

  /** Acks the inputs that are done and naks the failed ones; never throws; returns how many were acked. */
  private int settle(InFlightBatch batch) {
    boolean interrupted = Thread.interrupted();
    List<ReadMessage> inputs = batch.inputs;
    BitSet failed = batch.failed;
    List<Offset> done = new ArrayList<>(inputs.size() - failed.cardinality());
    List<Offset> again = new ArrayList<>(failed.cardinality());
    for (int i = 0; i < inputs.size(); i++) {
      boolean given = failed.get(i) && deadLettered(inputs.get(i), batch.causes == null ? null : batch.causes[i]);
      (failed.get(i) && !given ? again : done).add(inputs.get(i).offset());
    }
    int acked = 0;
    if (!done.isEmpty()) {
      long start = System.nanoTime();
      try {
        reader.ack(done);
        meters.acks.increment(done.size());
        acked = done.size();
      } catch (RuntimeException e) {
        meters.ackErrors.increment(done.size());
        LOG.log(System.Logger.Level.WARNING, "vertex ''{0}'': acking {1} message(s) of ''{2}'' failed; they "
            + "will be delivered again and their outputs recognised as duplicates: {3}", forwarder.vertex(),
            done.size(), buffer(), e.getMessage());
      }
      meters.ackCall(System.nanoTime() - start, done.size());
    }
    if (!again.isEmpty()) {
      nak(again, retryPolicy.nakDelay());
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return acked;
  }

  /** Whether a failed input was given up on and taken by the dead letters, so that it may be acked. */
  private boolean deadLettered(ReadMessage input, Throwable cause) {
    if (deadLetters == null || forwarder.deadline().passed() || !deadLetters.givesUp(input, cause)) {
      return false;
    }
    boolean sent = deadLetters.send(buffer(), input, cause);
    if (sent) {
      meters.deadLetters.increment();
    }
    return sent;
  }

  /** A batch read, with when its read began (the start of its messages' end-to-end time). */
  private record Fetched(List<ReadMessage> batch, long readStart) {}

  /**
   * How the stages overlap.
   *
   * @param readAhead whether a thread reads the next batch while one is forwarded
   * @param batches how many batches may be between the function and their acks (1: each is settled before the next)
   * @param bytes how many input payload bytes may be; a larger batch goes alone
   */
  record Stages(boolean readAhead, int batches, long bytes) {}
}

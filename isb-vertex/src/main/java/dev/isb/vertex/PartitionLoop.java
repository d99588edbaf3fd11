package dev.isb.vertex;

import dev.isb.BufferFullException;
import dev.isb.BufferNotFoundException;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.IsbException;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import dev.isb.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
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
  private static final Duration FIRST_WRITE_BACKOFF = Duration.ofMillis(1);
  private static final Duration MAX_WRITE_BACKOFF = Duration.ofMillis(500);
  private static final Duration READ_ERROR_BACKOFF = Duration.ofMillis(200);
  /** How often the two threads of a read-ahead partition look up from their hand-over to check for shutdown. */
  private static final Duration HANDOFF_POLL = Duration.ofMillis(50);

  private final Forwarder forwarder;
  private final BufferReader reader;
  private final ForwarderMetrics.Input meters;
  private final ForwarderMetrics metrics;
  private final List<Forwarder.Route> routes;
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
    this.routes = routes;
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
    Settler started = stages.batches() > 1 ? new Settler() : null;
    settler = started;
    try {
      if (stages.readAhead()) {
        runReadingAhead();
        return;
      }
      while (forwarder.running()) {
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
   * Reads on a thread of its own, one batch ahead: while this thread forwards batch N, the reader
   * thread reads batch N+1 and waits to hand it over, so at most two batches of the partition are in
   * flight (numaflow-core's read-ahead). A batch read but not handed over at shutdown is nakked.
   */
  private void runReadingAhead() {
    SynchronousQueue<Fetched> handoff = new SynchronousQueue<>();
    AtomicReference<Throwable> died = new AtomicReference<>();
    Thread readerThread = new Thread(() -> {
      try {
        readAhead(handoff);
      } catch (Throwable t) {
        died.set(t);
      }
    }, Thread.currentThread().getName() + "-read");
    readerThread.start();
    try {
      while (forwarder.running() && readerThread.isAlive()) {
        Fetched fetched = handoff.poll(HANDOFF_POLL.toNanos(), TimeUnit.NANOSECONDS);
        if (fetched != null) {
          forward(fetched.batch(), fetched.readStart());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stop(readerThread);
    }
    if (died.get() != null) {
      throw new IllegalStateException("reading '" + buffer() + "' stopped on an error", died.get());
    }
  }

  /** The reader thread: reads, and hands each batch over, until the forwarder stops. */
  private void readAhead(SynchronousQueue<Fetched> handoff) {
    while (forwarder.running() && !Thread.currentThread().isInterrupted()) {
      Fetched fetched = fetch();
      if (fetched == null) {
        continue;
      }
      boolean handed = false;
      try {
        while (!handed && forwarder.running()) {
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
      if (interrupted || forwarder.deadlinePassed()) {
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
      forwarder.pause(READ_ERROR_BACKOFF);
      return null;
    } catch (RuntimeException e) {
      if (!forwarder.running()) {
        return null;
      }
      // A backend error that escaped translation is a bug, but stopping the partition would stall it.
      meters.readErrors.increment();
      LOG.log(System.Logger.Level.ERROR, "vertex '" + forwarder.vertex() + "': reading '" + buffer()
          + "' failed unexpectedly, retrying", e);
      forwarder.pause(READ_ERROR_BACKOFF);
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

  /** Hands a batch read ahead back to the buffer at shutdown: nothing of it was written. */
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
    Batch batch = new Batch(inputs, start, deadLetters != null, stages.bytes());
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
      startWrites(batch, data, apply(batch, data));
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
  private void complete(Batch batch) {
    try {
      finishWrites(batch);
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
  private List<List<Output>> apply(Batch batch, List<Datum> data) {
    List<List<Output>> outputs = new ArrayList<>(data.size());
    if (function.sync() != null) {
      for (int i = 0; i < data.size(); i++) {
        Datum datum = data.get(i);
        gaveUpWith = null;
        List<Output> result = datum.message().kind() == Kind.DATA && !forwarder.deadlinePassed()
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
      if (attempt >= retryPolicy.maxAttempts() || forwarder.deadlinePassed() || Thread.currentThread().isInterrupted()) {
        logGaveUp(datum, attempt, error);
        gaveUpWith = attempt >= retryPolicy.maxAttempts() ? error : null;
        return null;
      }
      forwarder.pause(retryPolicy.backoffBefore(attempt + 1));
    }
  }

  private List<List<Output>> applyAsync(Batch batch, List<Datum> data) {
    Semaphore permits = new Semaphore(maxInFlight);
    List<CompletableFuture<List<Output>>> calls = new ArrayList<>(data.size());
    for (Datum datum : data) {
      if (datum.message().kind() != Kind.DATA) {
        calls.add(CompletableFuture.completedFuture(List.of()));
        continue;
      }
      try {
        while (!permits.tryAcquire(10, TimeUnit.MILLISECONDS)) {
          if (forwarder.deadlinePassed()) {
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
        if (forwarder.awaitWithDeadline(call) && !call.isCompletedExceptionally()) {
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
      if (attempt >= retryPolicy.maxAttempts() || forwarder.deadlinePassed()) {
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

  /** Starts writing every output along the edges that take it, partition by partition. */
  private void startWrites(Batch batch, List<Datum> data, List<List<Output>> outputs) {
    List<List<List<Outgoing>>> byRoute = new ArrayList<>(routes.size());
    for (Forwarder.Route route : routes) {
      List<List<Outgoing>> byPartition = new ArrayList<>(route.writers().size());
      for (int p = 0; p < route.writers().size(); p++) {
        byPartition.add(new ArrayList<>());
      }
      byRoute.add(byPartition);
    }
    for (int i = 0; i < data.size(); i++) {
      Datum datum = data.get(i);
      List<Output> results = outputs.get(i);
      String offset = datum.offset().toString();
      for (int index = 0; index < results.size(); index++) {
        Output output = results.get(index);
        Message message = message(datum, offset, index, output);
        boolean taken = false;
        for (int r = 0; r < routes.size(); r++) {
          Forwarder.Route route = routes.get(r);
          if (route.edge().accepts(output.tags())) {
            taken = true;
            byRoute.get(r).get(route.edge().partitionOf(message, route.router())).add(new Outgoing(i, message));
          }
        }
        if (!taken) {
          meters.droppedNoEdge.increment();
        }
      }
    }
    for (int r = 0; r < routes.size(); r++) {
      Forwarder.Route route = routes.get(r);
      for (int p = 0; p < route.writers().size(); p++) {
        List<Outgoing> outgoing = byRoute.get(r).get(p);
        if (!outgoing.isEmpty()) {
          startWrite(batch, route, p, outgoing);
        }
      }
    }
  }

  private Message message(Datum datum, String offset, int index, Output output) {
    Header header = Header.builder(new MessageId(forwarder.vertex(), offset, index))
        .eventTime(datum.eventTime())
        .late(datum.isLate())
        .keys(output.keys())
        .headers(datum.headers())
        .build();
    return new Message(header, output.value());
  }

  /** The first attempt at one output partition's messages, not waited for; a closed writer fails their inputs. */
  private void startWrite(Batch batch, Forwarder.Route route, int partition, List<Outgoing> outgoing) {
    if (forwarder.deadlinePassed() || Thread.currentThread().isInterrupted()) {
      outgoing.forEach(o -> batch.failed.set(o.input()));
      return;
    }
    long start = System.nanoTime();
    try {
      CompletableFuture<List<WriteResult>> results = route.writers().get(partition)
          .writeAsync(messages(outgoing)).toCompletableFuture();
      batch.writes.add(new PartitionWrite(route, partition, outgoing, results, start));
    } catch (IllegalStateException e) {
      route.meters().get(partition).failed(e.getClass().getSimpleName(), false, outgoing.size());
      outgoing.forEach(o -> batch.failed.set(o.input()));
    }
  }

  /**
   * Waits for each of the batch's writes (until the shutdown deadline), then writes what failed
   * retryably again until it is stored, with a growing backoff; a non-retryable failure, or the
   * deadline, fails the message's input.
   */
  private void finishWrites(Batch batch) {
    for (PartitionWrite write : batch.writes) {
      List<WriteResult> results = null;
      try {
        if (forwarder.awaitWithDeadline(write.results()) && !write.results().isCompletedExceptionally()) {
          results = write.results().join();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (results == null) {
        write.outgoing().forEach(o -> batch.failed.set(o.input()));
        continue;
      }
      List<Outgoing> retry = recordResults(batch, write.route(), write.partition(), write.outgoing(), results,
          System.nanoTime() - write.start());
      writeUntilStored(batch, write.route(), write.partition(), retry);
    }
  }

  private void writeUntilStored(Batch batch, Forwarder.Route route, int partition, List<Outgoing> retry) {
    BufferWriter writer = route.writers().get(partition);
    List<Outgoing> todo = retry;
    Duration backoff = FIRST_WRITE_BACKOFF;
    while (!todo.isEmpty()) {
      forwarder.pause(backoff);
      backoff = backoff.multipliedBy(2).compareTo(MAX_WRITE_BACKOFF) < 0 ? backoff.multipliedBy(2) : MAX_WRITE_BACKOFF;
      todo.removeIf(o -> batch.failed.get(o.input()));
      if (todo.isEmpty()) {
        return;
      }
      if (forwarder.deadlinePassed() || Thread.currentThread().isInterrupted()) {
        todo.forEach(o -> batch.failed.set(o.input()));
        return;
      }
      List<WriteResult> results;
      long start = System.nanoTime();
      try {
        results = writer.write(messages(todo));
      } catch (IllegalStateException e) {
        route.meters().get(partition).failed(e.getClass().getSimpleName(), false, todo.size());
        todo.forEach(o -> batch.failed.set(o.input()));
        return;
      }
      todo = recordResults(batch, route, partition, todo, results, System.nanoTime() - start);
    }
  }

  private static List<Message> messages(List<Outgoing> outgoing) {
    List<Message> messages = new ArrayList<>(outgoing.size());
    for (Outgoing o : outgoing) {
      messages.add(o.message());
    }
    return messages;
  }

  /**
   * Meters one write call's results, publishes the output watermark up to the last stored offset, and
   * fails the inputs whose outputs cannot be written; returns the messages to write again.
   */
  private List<Outgoing> recordResults(Batch batch, Forwarder.Route route, int partition, List<Outgoing> todo,
      List<WriteResult> results, long took) {
    BufferWriter writer = route.writers().get(partition);
    ForwarderMetrics.Output out = route.meters().get(partition);
    int done = 0;
    List<Outgoing> retry = new ArrayList<>();
    long stored = -1;
    for (int i = 0; i < results.size(); i++) {
      Outgoing o = todo.get(i);
      WriteResult result = results.get(i);
      int bytes = o.message().payload().length;
      if (result instanceof WriteResult.Written w) {
        stored = watermarks == null ? stored : Math.max(stored, w.offset().sequenceNumber());
        out.stored(bytes);
        done++;
      } else if (result instanceof WriteResult.Duplicate) {
        out.duplicate(bytes);
        done++;
      } else if (result instanceof WriteResult.Dropped) {
        out.droppedFull(bytes);
      } else if (result instanceof WriteResult.Failed f) {
        out.failed(f.cause().getClass().getSimpleName(), f.cause() instanceof BufferFullException, 1);
        if (f.retryable()) {
          retry.add(o);
        } else {
          batch.failed.set(o.input());
          if (!(f.cause() instanceof BufferNotFoundException)) {
            batch.failedBy(o.input(), f.cause()); // this message's own failure, not the whole edge's
          }
          LOG.log(System.Logger.Level.ERROR, "vertex ''{0}'': an output of ''{1}'' message {2} cannot be "
              + "written to ''{3}''; the input will be delivered again: {4}", forwarder.vertex(), buffer(),
              o.message().id(), writer.buffer(), f.cause().getMessage());
        }
      }
    }
    out.writeCall(took, done);
    if (stored >= 0) {
      watermarks.stored(route.index(), partition, stored);
    }
    return retry;
  }

  /** Acks the inputs that are done and naks the failed ones; never throws; returns how many were acked. */
  private int settle(Batch batch) {
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
    if (deadLetters == null || forwarder.deadlinePassed() || !deadLetters.givesUp(input, cause)) {
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

  /** One output message on its way, with the index of its input in the batch. */
  private record Outgoing(int input, Message message) {}

  /** The first write of one output partition's messages of a batch, started at {@code start}. */
  private record PartitionWrite(Forwarder.Route route, int partition, List<Outgoing> outgoing,
      CompletableFuture<List<WriteResult>> results, long start) {}

  /**
   * How the stages overlap.
   *
   * @param readAhead whether a thread reads the next batch while one is forwarded
   * @param batches how many batches may be between the function and their acks (1: each is settled before the next)
   * @param bytes how many input payload bytes may be; a larger batch goes alone
   */
  record Stages(boolean readAhead, int batches, long bytes) {}

  /** A batch between the function and its acks: its inputs, their fates, and its writes. */
  private static final class Batch {
    final List<ReadMessage> inputs;
    /** When its read began: the start of its messages' end-to-end time. */
    final long readStart;
    final BitSet failed;
    /** Why each input failed, when the failure was its own; only with dead letters. */
    final Throwable[] causes;
    final List<PartitionWrite> writes = new ArrayList<>();
    /** Its input payload bytes, at most the loop's limit, as counted against that limit. */
    final int bytes;

    Batch(List<ReadMessage> inputs, long readStart, boolean keepCauses, long limit) {
      this.inputs = inputs;
      this.readStart = readStart;
      this.failed = new BitSet(inputs.size());
      this.causes = keepCauses ? new Throwable[inputs.size()] : null;
      long sum = 0;
      for (ReadMessage read : inputs) {
        sum += read.message().payload().length;
      }
      this.bytes = (int) Math.min(sum, Math.min(limit, Integer.MAX_VALUE));
    }

    /** Notes why an input failed when the failure was its own (not a shutdown), for its dead letter. */
    void failedBy(int input, Throwable cause) {
      if (causes != null && cause != null) {
        causes[input] = cause;
      }
    }
  }

  /**
   * The settling stage: a thread that completes the batches handed to it, in order, while the loop
   * applies the function to the next ones; permits bound the batches and bytes between the two.
   */
  private final class Settler implements Runnable {

    private final BlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    private final Semaphore batches = new Semaphore(stages.batches());
    private final Semaphore bytes = new Semaphore((int) Math.min(stages.bytes(), Integer.MAX_VALUE));
    /** Handed over last: no batch follows. */
    private final Batch end = new Batch(List.of(), 0, false, 0);
    private final AtomicReference<Throwable> died = new AtomicReference<>();
    private final Thread thread;

    Settler() {
      thread = new Thread(this, Thread.currentThread().getName() + "-settle");
      thread.start();
    }

    /** Waits until the batch may go into flight; the wait is the loop's back-pressure. */
    void admit(Batch batch) {
      boolean interrupted = Thread.interrupted();
      try {
        acquire(batches, 1);
        acquire(bytes, batch.bytes);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /**
     * Takes permits, waiting as long as settling goes on: a shutdown does not cut this wait short, as the
     * batches ahead settle (or fail) within the shutdown deadline.
     */
    private void acquire(Semaphore permits, int count) {
      boolean interrupted = false;
      while (true) {
        try {
          if (permits.tryAcquire(count, HANDOFF_POLL.toNanos(), TimeUnit.NANOSECONDS)) {
            break;
          }
        } catch (InterruptedException e) {
          interrupted = true;
        }
        if (!thread.isAlive()) {
          throw new IllegalStateException("settling '" + buffer() + "' stopped on an error", died.get());
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    void submit(Batch batch) {
      queue.add(batch);
    }

    /** Hands over the end and waits until every batch handed over is settled. */
    void finish() {
      queue.add(end);
      boolean interrupted = false;
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true; // the batches ahead settle or fail within the shutdown deadline
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (died.get() != null) {
        throw new IllegalStateException("settling '" + buffer() + "' stopped on an error", died.get());
      }
    }

    @Override
    public void run() {
      try {
        while (true) {
          Batch batch = queue.take();
          if (batch == end) {
            return;
          }
          try {
            complete(batch);
          } finally {
            bytes.release(batch.bytes);
            batches.release();
          }
        }
      } catch (Throwable t) {
        died.set(t);
      }
    }
  }
}

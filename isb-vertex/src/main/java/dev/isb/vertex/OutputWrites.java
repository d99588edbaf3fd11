package dev.isb.vertex;

import dev.isb.BufferFullException;
import dev.isb.BufferNotFoundException;
import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.WriteResult;
import dev.isb.vertex.InFlightBatch.Outgoing;
import dev.isb.vertex.InFlightBatch.Write;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The write stage of one input partition: routes a batch's outputs to the edges and partitions that
 * take them and starts each partition's write without waiting ({@link BufferWriter#writeAsync}); later,
 * on the settling thread, waits for those writes and writes what failed retryably again until it is
 * stored, the input fails, or the shutdown deadline passes.
 */
final class OutputWrites {

  private static final System.Logger LOG = System.getLogger(OutputWrites.class.getName());
  private static final Duration FIRST_WRITE_BACKOFF = Duration.ofMillis(1);
  private static final Duration MAX_WRITE_BACKOFF = Duration.ofMillis(500);

  private final Forwarder forwarder;
  private final String input;
  private final ForwarderMetrics.Input meters;
  private final List<Forwarder.Route> routes;
  private final VertexWatermarks watermarks;

  /**
   * @param input the input partition whose outputs these are
   * @param watermarks the vertex's watermarks; null when it does not take part in them
   */
  OutputWrites(Forwarder forwarder, String input, ForwarderMetrics.Input meters, List<Forwarder.Route> routes,
      VertexWatermarks watermarks) {
    this.forwarder = forwarder;
    this.input = input;
    this.meters = meters;
    this.routes = routes;
    this.watermarks = watermarks;
  }

  /** Starts writing every output of the batch along the edges that take it, partition by partition. */
  void startWrites(InFlightBatch batch, List<Datum> data, List<List<Output>> outputs) {
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
  private void startWrite(InFlightBatch batch, Forwarder.Route route, int partition, List<Outgoing> outgoing) {
    if (forwarder.deadline().passed() || Thread.currentThread().isInterrupted()) {
      outgoing.forEach(o -> batch.failed.set(o.input()));
      return;
    }
    long start = System.nanoTime();
    try {
      CompletableFuture<List<WriteResult>> results = route.writers().get(partition)
          .writeAsync(messages(outgoing)).toCompletableFuture();
      batch.writes.add(new Write(route, partition, outgoing, results, start));
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
  void finishWrites(InFlightBatch batch) {
    for (Write write : batch.writes) {
      List<WriteResult> results = null;
      try {
        if (forwarder.deadline().await(write.results()) && !write.results().isCompletedExceptionally()) {
          results = write.results().join();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (results == null) {
        write.outgoing().forEach(o -> batch.failed.set(o.input()));
        continue;
      }
      List<Outgoing> retry = recordResults(batch, write.route(), write.partition(), write.outgoing(),
          results, System.nanoTime() - write.start());
      writeUntilStored(batch, write.route(), write.partition(), retry);
    }
  }

  private void writeUntilStored(InFlightBatch batch, Forwarder.Route route, int partition, List<Outgoing> retry) {
    BufferWriter writer = route.writers().get(partition);
    List<Outgoing> todo = retry;
    Duration backoff = FIRST_WRITE_BACKOFF;
    while (!todo.isEmpty()) {
      forwarder.deadline().pause(backoff);
      backoff = backoff.multipliedBy(2).compareTo(MAX_WRITE_BACKOFF) < 0 ? backoff.multipliedBy(2) : MAX_WRITE_BACKOFF;
      todo.removeIf(o -> batch.failed.get(o.input()));
      if (todo.isEmpty()) {
        return;
      }
      if (forwarder.deadline().passed() || Thread.currentThread().isInterrupted()) {
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
  private List<Outgoing> recordResults(InFlightBatch batch, Forwarder.Route route, int partition,
      List<Outgoing> todo, List<WriteResult> results, long took) {
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
              + "written to ''{3}''; the input will be delivered again: {4}", forwarder.vertex(), input,
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
}

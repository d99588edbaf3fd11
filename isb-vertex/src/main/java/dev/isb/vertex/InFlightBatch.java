package dev.isb.vertex;

import dev.isb.Message;
import dev.isb.ReadMessage;
import dev.isb.WriteResult;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A batch between the function and its acks: its inputs, their fates, and its writes. */
final class InFlightBatch {

  final List<ReadMessage> inputs;
  /** When its read began: the start of its messages' end-to-end time. */
  final long readStart;
  final BitSet failed;
  /** Why each input failed, when the failure was its own; only with dead letters. */
  final Throwable[] causes;
  final List<Write> writes = new ArrayList<>();
  /** Its input payload bytes, at most the loop's limit, as counted against that limit. */
  final int bytes;

  InFlightBatch(List<ReadMessage> inputs, long readStart, boolean keepCauses, long limit) {
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

  /** One output message on its way, with the index of its input in the batch. */
  record Outgoing(int input, Message message) {}

  /** The first write of one output partition's messages of a batch, started at {@code start}. */
  record Write(Forwarder.Route route, int partition, List<Outgoing> outgoing,
      CompletableFuture<List<WriteResult>> results, long start) {}
}

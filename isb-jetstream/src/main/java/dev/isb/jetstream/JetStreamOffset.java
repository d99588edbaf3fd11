package dev.isb.jetstream;

import dev.isb.Offset;

/**
 * A position in a JetStream buffer: the stream sequence. An offset handed out by a reader also holds
 * the delivered jnats message, whose reply subject is how it is acked.
 */
record JetStreamOffset(String buffer, int partition, long streamSequence, io.nats.client.Message delivered)
    implements Offset {

  @Override
  public String sequence() {
    return Long.toString(streamSequence);
  }

  @Override
  public long sequenceNumber() {
    return streamSequence;
  }

  @Override
  public String toString() {
    return streamSequence + "-" + partition;
  }
}

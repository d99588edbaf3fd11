package dev.isb.vertex;

import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.IsbClient;
import dev.isb.Message;
import dev.isb.ReadMessage;
import dev.isb.WriteResult;
import java.util.HashMap;
import java.util.Map;

/**
 * A forwarder's dead letters under its {@link DeadLetterPolicy}: decides which failed inputs are
 * given up on and hands them to the dead-letter buffer or handler. Used by the partitions' threads
 * at once: the buffer's writer is thread-safe, the handler must be.
 */
final class DeadLetters implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(DeadLetters.class.getName());
  /** An error message longer than this is cut in the header. */
  private static final int MAX_ERROR_LENGTH = 1024;

  private final String vertex;
  private final DeadLetterPolicy policy;
  private final BufferWriter writer;

  private DeadLetters(String vertex, DeadLetterPolicy policy, BufferWriter writer) {
    this.vertex = vertex;
    this.policy = policy;
    this.writer = writer;
  }

  /** The dead letters of {@code vertex}, opening a writer on the policy's buffer if it has one; null without a policy. */
  static DeadLetters open(IsbClient client, String vertex, DeadLetterPolicy policy) {
    if (policy == null) {
      return null;
    }
    return new DeadLetters(vertex, policy, policy.buffer() == null ? null : client.writer(policy.buffer()));
  }

  /** Whether a failed input is given up on: its failure was its own, at the policy's delivery or later. */
  boolean givesUp(ReadMessage input, Throwable error) {
    return error != null && input.deliveryCount() >= policy.maxDeliveries();
  }

  /**
   * Hands one input over.
   *
   * @return whether it was taken (written or already there, or the handler returned), so it may be acked
   */
  boolean send(String buffer, ReadMessage input, Throwable error) {
    try {
      if (writer == null) {
        policy.handler().accept(new DeadLetterPolicy.DeadLetter(vertex, buffer, input, error));
      } else {
        WriteResult result = writer.write(letter(buffer, input, error));
        if (!(result instanceof WriteResult.Written || result instanceof WriteResult.Duplicate)) {
          throw new IllegalStateException("the dead-letter buffer '" + writer.buffer() + "' did not store it: "
              + result);
        }
      }
    } catch (Exception e) {
      LOG.log(System.Logger.Level.ERROR, "vertex ''{0}'': message {1} of ''{2}'' could not be dead-lettered; it is"
          + " nakked and tried again on its next delivery: {3}", vertex, input.message().id(), buffer, e.toString());
      return false;
    }
    LOG.log(System.Logger.Level.WARNING, "vertex ''{0}'': message {1} of ''{2}'' dead-lettered{3} after {4}"
        + " deliveries: {5}", vertex, input.message().id(), buffer,
        writer == null ? "" : " to '" + writer.buffer() + "'", input.deliveryCount(), describe(error));
    return true;
  }

  private Message letter(String buffer, ReadMessage input, Throwable error) {
    Header header = input.message().header();
    Map<String, String> headers = new HashMap<>(header.headers());
    headers.put(DeadLetterPolicy.ERROR_HEADER, describe(error));
    headers.put(DeadLetterPolicy.DELIVERIES_HEADER, Long.toString(input.deliveryCount()));
    headers.put(DeadLetterPolicy.BUFFER_HEADER, buffer);
    headers.put(DeadLetterPolicy.VERTEX_HEADER, vertex);
    return new Message(header.toBuilder().headers(headers).build(), input.message().payload());
  }

  private static String describe(Throwable error) {
    String text = error.getClass().getName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
    return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH) + "…";
  }

  @Override
  public void close() {
    if (writer != null) {
      writer.close();
    }
  }
}

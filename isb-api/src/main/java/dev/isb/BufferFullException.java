package dev.isb;

/**
 * The buffer is full by Numaflow's rule: its usage reached the writer's usage limit. Retryable: the
 * buffer drains as its readers ack.
 */
public final class BufferFullException extends IsbException {

  private static final long serialVersionUID = 1L;

  /**
   * @param buffer the buffer
   * @param detail what was measured, e.g. {@code "usage 0.85 >= limit 0.80"}
   */
  public BufferFullException(String buffer, String detail) {
    super(buffer, "buffer full: " + detail, true, null);
  }
}

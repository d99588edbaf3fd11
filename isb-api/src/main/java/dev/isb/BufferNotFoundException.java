package dev.isb;

/** The buffer does not exist in the ISB service (not created yet, or deleted). Not retryable. */
public final class BufferNotFoundException extends IsbException {

  private static final long serialVersionUID = 1L;

  /**
   * @param buffer the buffer that was not found
   * @param cause the backend's error, or null
   */
  public BufferNotFoundException(String buffer, Throwable cause) {
    super(buffer, "no such buffer; create it with BufferAdmin.createBuffers first", false, cause);
  }
}

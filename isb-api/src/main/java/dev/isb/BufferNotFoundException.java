package dev.isb;

/**
 * The buffer, or watermark bucket, does not exist in the ISB service (not created yet, or deleted).
 * Not retryable.
 */
public final class BufferNotFoundException extends IsbException {

  private static final long serialVersionUID = 1L;

  /**
   * @param buffer the buffer that was not found
   * @param cause the backend's error, or null
   */
  public BufferNotFoundException(String buffer, Throwable cause) {
    this(buffer, "no such buffer; create it with BufferAdmin.createBuffers first", cause);
  }

  private BufferNotFoundException(String name, String message, Throwable cause) {
    super(name, message, false, cause);
  }

  /**
   * A watermark key/value bucket that was not found; {@link #buffer()} is the bucket's name.
   *
   * <pre>{@code
   * throw BufferNotFoundException.bucket("ns-pl-in-out_OT", cause);
   * }</pre>
   *
   * @param bucket the key/value bucket, e.g. {@code ns-pl-in-out_OT}
   * @param cause the backend's error, or null
   */
  public static BufferNotFoundException bucket(String bucket, Throwable cause) {
    return new BufferNotFoundException(bucket, "no such watermark bucket; create it with BufferAdmin.createBuckets first",
        cause);
  }
}

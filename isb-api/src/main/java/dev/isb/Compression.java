package dev.isb;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How the payload of a data message is compressed in a buffer, as numaflow-core does when a pipeline
 * sets {@code spec.interStepBuffer.compression.type}: only {@code Body.payload}, before the message is
 * encoded; the header, and control messages, stay plain. Nothing in a message says it is compressed,
 * so every writer and reader of a buffer must be given the same setting.
 */
public enum Compression {
  /** Payloads as they are. */
  NONE("none"),
  /** A gzip member at the default level (the JDK's deflater; numaflow-core uses flate2's default). */
  GZIP("gzip"),
  /** A Zstandard frame at level 3, numaflow-core's. */
  ZSTD("zstd"),
  /** An LZ4 frame (not a raw LZ4 block), as numaflow-core's {@code lz4} crate writes by default. */
  LZ4("lz4");

  private final String numaflowName;

  Compression(String numaflowName) {
    this.numaflowName = numaflowName;
  }

  /** The value of {@code compression.type} in a Numaflow pipeline: {@code gzip}, {@code zstd}, {@code lz4}, {@code none}. */
  public String numaflowName() {
    return numaflowName;
  }

  /**
   * The compression a Numaflow {@code compression.type} names, spelt exactly as numaflow-core accepts
   * it (lower case).
   *
   * @throws IllegalArgumentException naming the value and the accepted ones
   */
  public static Compression parse(String type) {
    Objects.requireNonNull(type, "type");
    for (Compression c : values()) {
      if (c.numaflowName.equals(type)) {
        return c;
      }
    }
    throw new IllegalArgumentException("compression type '" + type + "' is not one of "
        + Arrays.stream(values()).map(Compression::numaflowName).collect(Collectors.joining(", "))
        + " (lower case, as numaflow-core reads it)");
  }
}

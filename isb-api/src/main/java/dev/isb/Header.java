package dev.isb;

import dev.isb.spi.Checks;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything about a message but its payload, as Numaflow's {@code isb.Header} carries it.
 * Immutable and thread-safe.
 *
 * @param eventTime when the event happened; {@link Instant#EPOCH} when not known
 * @param late whether the event arrived after the watermark passed it
 * @param kind data or watermark barrier
 * @param id the message id, the source of the de-duplication key
 * @param keys the message keys, in order (reduce partitions by them)
 * @param headers free-form string headers
 * @param metadata Numaflow's metadata; {@link Metadata#EMPTY} when there is none
 */
public record Header(
    Instant eventTime,
    boolean late,
    Kind kind,
    MessageId id,
    List<String> keys,
    Map<String, String> headers,
    Metadata metadata) {

  /** Checks for nulls and makes the collections immutable (a no-op for collections that already are). */
  public Header {
    Objects.requireNonNull(eventTime, "eventTime");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(id, "id");
    keys = List.copyOf(Objects.requireNonNull(keys, "keys"));
    headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
    Objects.requireNonNull(metadata, "metadata");
  }

  /** A builder for a DATA header with the given id, event time {@link Instant#EPOCH}, no keys. */
  public static Builder builder(MessageId id) {
    return new Builder(id);
  }

  /** A builder that starts from this header's values. */
  public Builder toBuilder() {
    return new Builder(id).eventTime(eventTime).late(late).kind(kind)
        .keys(keys).headers(headers).metadata(metadata);
  }

  /** Builds a {@link Header}. Not thread-safe. */
  public static final class Builder {
    private Instant eventTime = Instant.EPOCH;
    private boolean late;
    private Kind kind = Kind.DATA;
    private MessageId id;
    private List<String> keys = List.of();
    private Map<String, String> headers = Map.of();
    private Metadata metadata = Metadata.EMPTY;

    private Builder(MessageId id) {
      this.id = Objects.requireNonNull(id, "id");
    }

    /** Sets the event time. */
    public Builder eventTime(Instant eventTime) {
      this.eventTime = Objects.requireNonNull(eventTime, "eventTime");
      return this;
    }

    /** Sets the late flag. */
    public Builder late(boolean late) {
      this.late = late;
      return this;
    }

    /** Sets the kind. */
    public Builder kind(Kind kind) {
      this.kind = Objects.requireNonNull(kind, "kind");
      return this;
    }

    /** Sets the id. */
    public Builder id(MessageId id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /** Sets the keys. */
    public Builder keys(List<String> keys) {
      this.keys = List.copyOf(keys);
      return this;
    }

    /** Sets the keys. */
    public Builder keys(String... keys) {
      return keys(List.of(keys));
    }

    /** Sets the string headers. */
    public Builder headers(Map<String, String> headers) {
      this.headers = Map.copyOf(headers);
      return this;
    }

    /** Sets the metadata. */
    public Builder metadata(Metadata metadata) {
      this.metadata = Objects.requireNonNull(metadata, "metadata");
      return this;
    }

    /** The header. */
    public Header build() {
      return new Header(eventTime, late, kind, id, keys, headers, metadata);
    }
  }
}

package dev.isb.vertex;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One message a vertex function emits. It keeps its input's event time and headers; its id is derived
 * from the input's offset and its position in the function's result, so that a redelivered input
 * produces the same ids and the ISB stores its outputs once. Immutable.
 *
 * <pre>{@code
 * Output.of("hello").withKeys("greeting").withTags("english")
 * }</pre>
 *
 * @param keys routing keys: an output with keys goes to the downstream partition its keys hash to
 * @param value the payload, shared: not copied
 * @param tags the tags that choose the edges it goes to (see {@link Edge#whenTagged})
 */
public record Output(List<String> keys, byte[] value, Set<String> tags) {

  /** Copies the collections and checks for nulls. */
  public Output {
    keys = List.copyOf(keys);
    Objects.requireNonNull(value, "value");
    tags = Set.copyOf(tags);
  }

  /** An output with this payload, no keys and no tags. */
  public static Output of(byte[] value) {
    return new Output(List.of(), value, Set.of());
  }

  /** An output with this text as its UTF-8 payload, no keys and no tags. */
  public static Output of(String value) {
    return of(value.getBytes(StandardCharsets.UTF_8));
  }

  /** This output with these keys instead of its own. */
  public Output withKeys(String... keys) {
    return new Output(List.of(keys), value, tags);
  }

  /** This output with these keys instead of its own. */
  public Output withKeys(List<String> keys) {
    return new Output(keys, value, tags);
  }

  /** This output with these tags instead of its own. */
  public Output withTags(String... tags) {
    return new Output(keys, value, Set.of(tags));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Output other && keys.equals(other.keys) && Arrays.equals(value, other.value)
        && tags.equals(other.tags);
  }

  @Override
  public int hashCode() {
    return Objects.hash(keys, Arrays.hashCode(value), tags);
  }

  @Override
  public String toString() {
    return "Output{keys=" + keys + ", " + value.length + " bytes, tags=" + tags + '}';
  }
}

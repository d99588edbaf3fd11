package dev.isb.vertex;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A vertex's function: one input, zero or more outputs (map, flat-map and filter in one shape). It is
 * called from the forwarder's thread for the input's partition, one input at a time in read order; it
 * may throw, and the forwarder then retries it by its {@link RetryPolicy} and, if it keeps failing,
 * hands the input back to the ISB (nak) instead of acking it.
 *
 * <pre>{@code
 * MapFunction words = in -> Arrays.stream(in.valueAsString().split(" ")).map(Output::of).toList();
 * }</pre>
 */
@FunctionalInterface
public interface MapFunction {

  /** The outputs for one input, in order; empty drops the input (it is acked all the same). */
  List<Output> apply(Datum datum) throws Exception;

  /** A one-to-one map. */
  static MapFunction of(Function<Datum, Output> function) {
    Objects.requireNonNull(function, "function");
    return datum -> List.of(function.apply(datum));
  }

  /** Passes an input on unchanged (same keys and value) when {@code keep} holds, drops it otherwise. */
  static MapFunction filter(Predicate<Datum> keep) {
    Objects.requireNonNull(keep, "keep");
    return datum -> keep.test(datum) ? List.of(new Output(datum.keys(), datum.value(), Set.of())) : List.of();
  }
}

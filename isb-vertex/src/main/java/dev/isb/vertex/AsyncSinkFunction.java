package dev.isb.vertex;

import java.util.concurrent.CompletionStage;

/**
 * A sink function that completes later; the input is acked when its stage completes normally.
 *
 * <pre>{@code
 * AsyncSinkFunction store = in -> repository.saveAsync(in.value());
 * }</pre>
 */
@FunctionalInterface
public interface AsyncSinkFunction {

  /** Consumes one input; the stage's value is ignored. */
  CompletionStage<?> accept(Datum datum);
}

package dev.isb.vertex;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A vertex function that completes later, for functions that call other services. The forwarder
 * starts up to {@code maxInFlight} calls of one batch at once and writes their outputs in input order;
 * a stage that fails (or a call that throws) is retried by the {@link RetryPolicy}.
 *
 * <pre>{@code
 * AsyncMapFunction enrich = in -> httpClient.sendAsync(request(in), ofString())
 *     .thenApply(response -> List.of(Output.of(response.body())));
 * }</pre>
 */
@FunctionalInterface
public interface AsyncMapFunction {

  /** The outputs for one input, when they are known. */
  CompletionStage<List<Output>> apply(Datum datum);
}

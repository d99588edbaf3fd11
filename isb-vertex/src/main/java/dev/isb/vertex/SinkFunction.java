package dev.isb.vertex;

/**
 * A sink vertex's function: it consumes an input and writes nothing downstream. The input is acked
 * when it returns; when it throws, it is retried by the {@link RetryPolicy} and then nakked.
 *
 * <pre>{@code
 * SinkFunction print = in -> System.out.println(in.valueAsString());
 * }</pre>
 */
@FunctionalInterface
public interface SinkFunction {

  /** Consumes one input. */
  void accept(Datum datum) throws Exception;
}

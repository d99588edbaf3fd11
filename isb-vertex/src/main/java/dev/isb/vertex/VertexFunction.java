package dev.isb.vertex;

import java.util.List;

/**
 * The vertex function in one of its four shapes, as the partition loop calls it: a synchronous or
 * an asynchronous map (a sink is a map with no outputs).
 */
record VertexFunction(MapFunction sync, AsyncMapFunction async) {

  /** The one function given; the builder has checked that exactly one is. */
  static VertexFunction of(MapFunction map, AsyncMapFunction asyncMap, SinkFunction sink, AsyncSinkFunction asyncSink) {
    if (map != null) {
      return new VertexFunction(map, null);
    }
    if (sink != null) {
      return new VertexFunction(d -> {
        sink.accept(d);
        return List.of();
      }, null);
    }
    if (asyncMap != null) {
      return new VertexFunction(null, asyncMap);
    }
    return new VertexFunction(null, d -> asyncSink.accept(d).thenApply(ignored -> List.of()));
  }
}

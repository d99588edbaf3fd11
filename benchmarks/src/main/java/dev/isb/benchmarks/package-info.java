/**
 * Benchmarks of the library against the raw clients it wraps, in the same run:
 * {@link dev.isb.benchmarks.Bench} (the backends against raw jnats and lettuce),
 * {@link dev.isb.benchmarks.ForwarderBench} (the forwarder against a hand-written loop and a streaming
 * pipeline on the raw clients) and {@link dev.isb.benchmarks.FullBufferBench} (a writer on a buffer
 * that stays full). Programs to run, not a library; everything but the main classes is package-private.
 */
package dev.isb.benchmarks;

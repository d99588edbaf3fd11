/**
 * JMH micro-benchmarks without a network: the codec, the in-memory write path, and what the JetStream
 * writer does per message before it calls jnats. Run through JMH, not called by anything.
 */
package dev.isb.benchmarks.jmh;

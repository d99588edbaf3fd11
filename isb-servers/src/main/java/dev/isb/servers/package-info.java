/**
 * Real {@code nats-server} and {@code redis-server} processes on free loopback ports, started and
 * deleted by the caller, with fault injection (kill, restart, pause, resume):
 * {@link dev.isb.servers.NatsServer}, {@link dev.isb.servers.NatsCluster},
 * {@link dev.isb.servers.RedisServer}, {@link dev.isb.servers.RedisCluster},
 * {@link dev.isb.servers.RedisSentinel}, and {@link dev.isb.servers.LocalIsbService}, a throw-away ISB
 * service for demos and manual runs.
 *
 * <p>For tests, demos and benchmarks. No JUnit: the test kit's extensions wrap these classes, and the
 * other public classes here (the fault journal, the process controls, where the binaries are found)
 * are public for them. Docker through Testcontainers is used only when no local binary exists and
 * Testcontainers is on the class path.
 */
package dev.isb.servers;

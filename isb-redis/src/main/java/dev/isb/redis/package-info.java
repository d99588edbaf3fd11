/**
 * The Redis Streams backend, in Numaflow's layout: one stream and consumer group per buffer, Lua
 * scripts for the steps that must be atomic; standalone, cluster or sentinel, through lettuce.
 *
 * <p>Users do not import this package: with the module on the class path, {@code
 * IsbOptions.builder().backend("redis")} selects it through {@link java.util.ServiceLoader}.
 * {@link dev.isb.redis.RedisBackend} is the one public class, for that lookup; the rest is
 * package-private implementation.
 */
package dev.isb.redis;

package dev.isb.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The Lua scripts of this backend, each run with {@code EVALSHA} and, when the server does not know it
 * yet ({@code NOSCRIPT}: a new or failed-over node), with {@code EVAL}, which also loads it.
 */
enum RedisScripts {
  WRITE("write.lua"),
  READ("read.lua"),
  ACK("ack.lua"),
  TOUCH("touch.lua"),
  INFO("info.lua"),
  CREATE("create.lua"),
  DELETE("delete.lua");

  private final byte[] source;
  private final String sha;

  RedisScripts(String file) {
    try (InputStream in = RedisScripts.class.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("script " + file + " is missing from the jar");
      }
      source = in.readAllBytes();
      sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required by the JDK", e);
    }
  }

  /** Runs the script; its reply is a list (of byte arrays, longs and nested lists). */
  List<Object> run(RedisClusterCommands<byte[], byte[]> redis, byte[][] keys, byte[]... args) {
    try {
      return redis.evalsha(sha, ScriptOutputType.MULTI, keys, args);
    } catch (RedisNoScriptException e) {
      return redis.eval(source, ScriptOutputType.MULTI, keys, args);
    }
  }

  /**
   * Runs the script without waiting; a stage of its reply, as {@link #run}'s. Always {@code EVAL} with
   * the source, never {@code EVALSHA}: a call refused with NOSCRIPT and sent again would reach the
   * server after calls sent behind it, and the batches of one writer must be stored in the order sent
   * (a Redis Cluster node that had not loaded the script did exactly that). The server caches the
   * script by its digest either way; the source costs a few kilobytes per call, not per message.
   */
  CompletableFuture<List<Object>> runAsync(RedisClusterAsyncCommands<byte[], byte[]> redis, byte[][] keys,
      byte[]... args) {
    return redis.<List<Object>>eval(source, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
  }

  /** Sends a script whose reply is one integer, with its source (see {@link #runAsync}). */
  CompletableFuture<Long> runForLongAsync(RedisClusterAsyncCommands<byte[], byte[]> redis, byte[][] keys,
      byte[]... args) {
    return redis.<Long>eval(source, ScriptOutputType.INTEGER, keys, args).toCompletableFuture();
  }

  /** Runs a script whose reply is one integer. */
  long runForLong(RedisClusterCommands<byte[], byte[]> redis, byte[][] keys, byte[]... args) {
    try {
      return redis.<Long>evalsha(sha, ScriptOutputType.INTEGER, keys, args);
    } catch (RedisNoScriptException e) {
      return redis.<Long>eval(source, ScriptOutputType.INTEGER, keys, args);
    }
  }
}

package dev.isb.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Joins running cluster-enabled nodes into a Redis Cluster with {@code redis-cli --cluster create},
 * its output kept in {@code cluster-create.log}: {@code redis-cli} knows how to spread the slots and
 * place replicas, which the kit need not learn.
 */
final class RedisClusterCreate {

  private RedisClusterCreate() {}

  /**
   * Runs {@code redis-cli --cluster create} in {@code dir} and waits for it.
   *
   * @param certificates the TLS material, null without TLS
   * @param password the password of {@code default}, null without one
   * @throws IllegalStateException if it fails or does not finish by the deadline, with its output
   */
  static void run(
      Path cli,
      List<RedisServer> nodes,
      int replicasPerMaster,
      TestCertificates certificates,
      String password,
      Path dir,
      long deadline) {
    List<String> command = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
    for (RedisServer node : nodes) {
      command.add(RedisServer.HOST + ":" + node.port());
    }
    command.addAll(
        List.of("--cluster-replicas", Integer.toString(replicasPerMaster), "--cluster-yes"));
    if (certificates != null) {
      command.addAll(List.of("--tls", "--cacert", certificates.caCertificate().toString()));
      command.addAll(
          List.of(
              "--cert", certificates.clientCertificate().toString(),
              "--key", certificates.clientKey().toString()));
    }
    Path log = dir.resolve("cluster-create.log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    if (password != null) {
      builder.environment().put("REDISCLI_AUTH", password); // not on the command line
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + String.join(" ", command), e);
    }
    try {
      long remaining = Math.max(1, deadline - System.nanoTime());
      if (!process.waitFor(remaining, TimeUnit.NANOSECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(
            "redis-cli --cluster create did not finish in time:\n" + read(log));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the cluster", e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "redis-cli --cluster create exited with code " + process.exitValue() + ":\n" + read(log));
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }
}

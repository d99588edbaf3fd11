package dev.isb.servers;

import java.nio.file.Path;

/**
 * Writes the {@code redis.conf} of one process of the kit: a data node (standalone, cluster node or
 * replica) or a sentinel. Binds 127.0.0.1 only and never saves RDB snapshots. Not thread-safe: one
 * instance writes one file.
 */
final class RedisConfig {

  private final StringBuilder text = new StringBuilder("# Written by the ISB test kit.\n");

  private RedisConfig() {}

  /** The configuration of a process in {@code dir}, serving clients on {@code port}. */
  static String of(
      RedisServer.Options options,
      RedisServer.Node node,
      Path dir,
      int port,
      TestCertificates certificates) {
    RedisConfig c = new RedisConfig();
    c.line("bind", RedisServer.HOST);
    c.line("protected-mode no");
    c.line("daemonize no");
    c.line("logfile \"\"");
    c.line("dir", quote(dir.toString()));
    if (certificates != null) {
      c.tls(certificates, port, options);
    } else {
      c.line("port", port);
    }
    if (node.sentinelOf() != null) {
      c.sentinel(node.sentinelOf(), options.password());
    } else {
      c.dataNode(options, node);
    }
    return c.text.toString();
  }

  private void tls(TestCertificates certificates, int port, RedisServer.Options options) {
    line("port 0");
    line("tls-port", port);
    line("tls-cert-file", quote(certificates.serverCertificate().toString()));
    line("tls-key-file", quote(certificates.serverKey().toString()));
    line("tls-ca-cert-file", quote(certificates.caCertificate().toString()));
    // Outgoing links (replication, cluster bus, sentinel) present a certificate made for clients.
    line("tls-client-cert-file", quote(certificates.clientCertificate().toString()));
    line("tls-client-key-file", quote(certificates.clientKey().toString()));
    line("tls-auth-clients", options.mutualTls() ? "yes" : "no");
    line("tls-replication yes");
    if (options.clusterEnabled()) {
      line("tls-cluster yes");
    }
  }

  private void dataNode(RedisServer.Options options, RedisServer.Node node) {
    line("save \"\"");
    line("appendonly", options.appendOnly() ? "yes" : "no");
    if (options.appendOnly()) {
      line("appendfsync always");
    }
    // Replicas sync at once instead of after the default 5 s wait for more replicas.
    line("repl-diskless-sync-delay 0");
    if (options.password() != null) {
      line("requirepass", options.password());
      line("masterauth", options.password());
    }
    for (RedisServer.AclUser user : options.aclUsers()) {
      line(user.configLine());
    }
    if (options.clusterEnabled()) {
      line("cluster-enabled yes");
      line("cluster-config-file nodes.conf");
      // Explicit: the default (port + 10000) can be above 65535 for a random port.
      line("cluster-port", node.busPort());
      line("cluster-node-timeout", options.clusterNodeTimeout().toMillis());
      // A replica that synced long ago may still be promoted: tests pause and kill nodes freely.
      line("cluster-replica-validity-factor 0");
    }
    if (node.replicaOfPort() > 0) {
      line("replicaof", RedisServer.HOST, node.replicaOfPort());
    }
  }

  private void sentinel(RedisServer.Monitor monitor, String password) {
    String master = monitor.masterName();
    line("sentinel monitor", master, RedisServer.HOST, monitor.masterPort(), monitor.quorum());
    line("sentinel down-after-milliseconds", master, monitor.downAfter().toMillis());
    line("sentinel failover-timeout", master, monitor.failoverTimeout().toMillis());
    line("sentinel parallel-syncs", master, 1);
    if (password != null) {
      line("sentinel auth-pass", master, password);
    }
  }

  /** Appends one directive: its words separated by spaces. */
  private void line(Object... words) {
    for (int i = 0; i < words.length; i++) {
      text.append(i == 0 ? "" : " ").append(words[i]);
    }
    text.append('\n');
  }

  /** Double quotes a path for redis.conf, whose parser understands C-like escapes inside quotes. */
  private static String quote(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}

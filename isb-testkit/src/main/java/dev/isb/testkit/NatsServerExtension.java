package dev.isb.testkit;

import dev.isb.servers.FaultJournal;
import dev.isb.servers.LocalBinaries;
import dev.isb.servers.NatsCluster;
import dev.isb.servers.NatsContainer;
import dev.isb.servers.NatsServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that runs a real NATS JetStream server, or a cluster of them, for the tests of
 * one class: started before all its tests on random ports of 127.0.0.1, killed and deleted after
 * them. Register it on a static field:
 *
 * <pre>{@code
 * class MyJetStreamTest {
 *   @RegisterExtension
 *   static final NatsServerExtension NATS = NatsServerExtension.single().withMaxPayload(2 << 20);
 *
 *   @Test
 *   void survivesARestart() throws Exception {
 *     try (Connection nc = Nats.connect(NATS.url())) {
 *       ...
 *       NATS.server().kill();
 *       NATS.server().restart();   // same port, same storage
 *     }
 *   }
 * }
 *
 * @RegisterExtension static final NatsServerExtension CLUSTER = NatsServerExtension.cluster(3);
 * @RegisterExtension static final NatsServerExtension SECURE =
 *     NatsServerExtension.single().withTls().withUser("u", "p");   // SECURE.sslContext()
 * }</pre>
 *
 * <p>Where the server comes from, in order: the binary named by the environment variable
 * {@code ISB_NATS_SERVER}, {@code nats-server} on the PATH, {@code /usr/sbin/nats-server}, and
 * finally Testcontainers (image {@code nats:2.10-alpine}) when a Docker engine is present. In
 * Docker only a plain single server runs, without node control. Other variants, and everything when
 * there is neither a binary nor Docker, disable the test class with the reason: skipped, never
 * failed (with several of these extensions in one class, one that cannot run disables the class).
 *
 * <p>Test methods may also declare a {@link NatsServer} or {@link NatsCluster} parameter; with
 * several of these extensions in one class, use the fields instead. In {@code @Nested} classes the
 * outer class's server keeps running. The {@code with…} methods return a new, unstarted extension;
 * a started one is safe to read from any thread.
 *
 * <p>Each test starts on a healthy setup (see {@link #beforeEach}): what an earlier test left paused
 * or down is restored, or the setup is rebuilt on new ports, so ask for URIs in each test rather
 * than keep them. A failed test carries the fault journal, the state of every process and their
 * logs' tails, and a copy of their files is kept under {@code target/isb-server-logs}
 * (docs/testing.md).
 */
public final class NatsServerExtension extends ServerExtensionBase<NatsServerExtension.Running>
    implements ExecutionCondition, ParameterResolver {

  private final int nodes; // 1 = a single server
  private final NatsServer.Options options;

  /** A plain single server, for {@code @ExtendWith(NatsServerExtension.class)}; same as {@link #single()}. */
  public NatsServerExtension() {
    this(1, NatsServer.Options.defaults());
  }

  private NatsServerExtension(int nodes, NatsServer.Options options) {
    this.nodes = nodes;
    this.options = options;
  }

  /** A single JetStream server: no TLS, no authentication, 1 MiB {@code max_payload}. */
  public static NatsServerExtension single() {
    return new NatsServerExtension();
  }

  /**
   * A JetStream cluster, ready once its nodes agree on a meta leader.
   *
   * @param nodes at least 2; 3 is the usual
   * @return a new extension
   */
  public static NatsServerExtension cluster(int nodes) {
    if (nodes < 2) {
      throw new IllegalArgumentException("nodes must be at least 2 (use single()), was " + nodes);
    }
    return new NatsServerExtension(nodes, NatsServer.Options.defaults());
  }

  /** This extension with TLS required of clients (certificates from a CA generated per run). */
  public NatsServerExtension withTls() {
    return new NatsServerExtension(nodes, options.withTls(false));
  }

  /** This extension with TLS and a client certificate required (see {@link #clientSslContext()}). */
  public NatsServerExtension withMutualTls() {
    return new NatsServerExtension(nodes, options.withTls(true));
  }

  /**
   * This extension with clients required to log in.
   *
   * @param user the user name, not blank
   * @param password the password, not blank
   * @return a new extension
   */
  public NatsServerExtension withUser(String user, String password) {
    return new NatsServerExtension(nodes, options.withUser(user, password));
  }

  /**
   * This extension with clients required to present a token.
   *
   * @param token the token, not blank
   * @return a new extension
   */
  public NatsServerExtension withToken(String token) {
    return new NatsServerExtension(nodes, options.withToken(token));
  }

  /**
   * This extension with NKey authentication: clients sign with the seed of this user public key.
   *
   * @param publicKey a user public key ({@code U...})
   * @return a new extension
   */
  public NatsServerExtension withNkey(String publicKey) {
    return new NatsServerExtension(nodes, options.withNkey(publicKey));
  }

  /**
   * This extension with a user who may publish and subscribe only to the given subjects, for
   * least-privilege tests: the server's configuration gives the user {@code permissions} with these
   * {@code allow} lists (NATS wildcards: {@code *} one token, {@code >} the rest). Combines with
   * {@link #withUser} (a second, unrestricted user, such as an admin), not with a token or an NKey.
   *
   * <pre>{@code
   * NatsServerExtension.single().withUser("admin", adminPassword)
   *     .withUserPermissions("vertex", password, List.of("buf-0", "$JS.API.STREAM.INFO.buf-0"),
   *         List.of("_INBOX.>"));
   * }</pre>
   *
   * @param user the user name, not blank, not the {@link #withUser} one
   * @param password the password, not blank
   * @param publishAllow the subjects the user may publish to, at least one
   * @param subscribeAllow the subjects the user may subscribe to, at least one
   * @return a new extension
   */
  public NatsServerExtension withUserPermissions(
      String user, String password, List<String> publishAllow, List<String> subscribeAllow) {
    return new NatsServerExtension(
        nodes,
        options.withUserPermissions(
            new NatsServer.UserPermissions(user, password, publishAllow, subscribeAllow)));
  }

  /**
   * This extension with another {@code max_payload} (default 1 MiB).
   *
   * @param bytes between 1 and 64 MiB
   * @return a new extension
   */
  public NatsServerExtension withMaxPayload(int bytes) {
    return new NatsServerExtension(nodes, options.withMaxPayload(bytes));
  }

  /**
   * This extension waiting longer (or shorter) for servers to start (default 20s).
   *
   * @param timeout a positive duration
   * @return a new extension
   */
  public NatsServerExtension withStartTimeout(Duration timeout) {
    return new NatsServerExtension(nodes, options.withStartTimeout(timeout));
  }

  /**
   * The URL clients use: one server's ({@code nats://127.0.0.1:<port>}, {@code tls://…} with TLS),
   * or for a cluster every node's, comma-separated.
   *
   * @throws IllegalStateException if the extension has not started
   */
  public String url() {
    Running r = running();
    if (r.container != null) {
      return r.container.url();
    }
    return r.cluster != null ? r.cluster.urls() : r.server.url();
  }

  /**
   * The single server, for its ports and directories and to kill, restart, pause or resume it.
   *
   * @throws IllegalStateException if this extension runs a cluster, or has not started
   */
  public NatsServer server() {
    Running r = running();
    if (r.cluster != null) {
      throw new IllegalStateException("this extension runs a cluster: use cluster().node(i)");
    }
    requireLocal(r);
    return r.server;
  }

  /**
   * The cluster, for its nodes and meta leader.
   *
   * @throws IllegalStateException if this extension runs a single server, or has not started
   */
  public NatsCluster cluster() {
    Running r = running();
    if (r.cluster == null) {
      throw new IllegalStateException("this extension runs a single server: use server()");
    }
    return r.cluster;
  }

  /** The configured user, if any. */
  public Optional<String> user() {
    return Optional.ofNullable(options.user());
  }

  /** The password of {@link #user()}, if a user is configured. */
  public Optional<String> password() {
    return Optional.ofNullable(options.password());
  }

  /** The configured token, if any. */
  public Optional<String> token() {
    return Optional.ofNullable(options.token());
  }

  /** The configured {@code max_payload} in bytes. */
  public int maxPayload() {
    return options.maxPayload();
  }

  /**
   * The PEM file of the test CA, for clients configured by files.
   *
   * @throws IllegalStateException if there is no TLS, or the extension has not started
   */
  public Path caCertificate() {
    return anyNode().caCertificate();
  }

  /**
   * An SSL context that trusts the test CA.
   *
   * @throws IllegalStateException if there is no TLS, or the extension has not started
   */
  public SSLContext sslContext() {
    return anyNode().sslContext();
  }

  /**
   * An SSL context that trusts the test CA and presents a client certificate it signed.
   *
   * @throws IllegalStateException if there is no TLS, or the extension has not started
   */
  public SSLContext clientSslContext() {
    return anyNode().clientSslContext();
  }

  /**
   * An SSL context that trusts another CA, for tests that clients refuse the server.
   *
   * @throws IllegalStateException if there is no TLS, or the extension has not started
   */
  public SSLContext untrustedSslContext() {
    return anyNode().untrustedSslContext();
  }

  /**
   * Disables the class (and each test), with the reason, when there is no way to run this server:
   * no binary, and no Docker engine or a variant that Docker does not run here.
   *
   * @throws IllegalStateException if {@code ISB_NATS_SERVER} names no executable file
   */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return unavailableReason()
        .map(ConditionEvaluationResult::disabled)
        .orElseGet(() -> ConditionEvaluationResult.enabled("a nats-server can run"));
  }

  @Override
  Running start() {
    Optional<Path> binary = options.findBinary();
    if (binary.isEmpty()) {
      return new Running(null, null, NatsContainer.start());
    }
    NatsServer.Options local = options.withBinary(binary.get());
    return nodes == 1
        ? new Running(NatsServer.start(local), null, null)
        : new Running(null, NatsCluster.start(local, nodes, "isb"), null);
  }

  /** Supports a {@link NatsServer} parameter for a single server, {@link NatsCluster} for a cluster. */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return nodes == 1 ? type == NatsServer.class : type == NatsCluster.class;
  }

  /** Resolves the running server or cluster. */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return nodes == 1 ? server() : cluster();
  }

  @Override
  public String toString() {
    return "NatsServerExtension["
        + (nodes == 1 ? "single" : "cluster of " + nodes)
        + (options.tls() ? ", tls" : "")
        + (options.user() != null ? ", user" : "")
        + (options.restricted() != null ? ", user with permissions" : "")
        + (options.token() != null ? ", token" : "")
        + ", max_payload "
        + options.maxPayload()
        + "]";
  }

  /** Why no server can run here, if so; asks Docker only when there is no binary. */
  @Override
  Optional<String> unavailableReason() {
    if (options.findBinary().isPresent()) {
      return Optional.empty();
    }
    if (!LocalBinaries.dockerAvailable()) {
      return Optional.of(
          "no nats-server binary and no Docker engine: set "
              + NatsServer.BINARY_ENV
              + ", put nats-server on the PATH (Debian: apt-get install nats-server), or start a"
              + " Docker engine");
    }
    if (nodes != 1 || !options.plain()) {
      return Optional.of(
          "no nats-server binary, and in Docker only a plain single server runs: set "
              + NatsServer.BINARY_ENV
              + " or put nats-server on the PATH for clusters, TLS, authentication or"
              + " max_payload");
    }
    return Optional.empty();
  }

  private NatsServer anyNode() {
    Running r = running();
    requireLocal(r);
    return r.cluster != null ? r.cluster.node(0) : r.server;
  }

  private static void requireLocal(Running r) {
    if (r.container != null) {
      Assumptions.abort(
          "this test needs a local nats-server (it runs in Docker here): set "
              + NatsServer.BINARY_ENV
              + " or put nats-server on the PATH");
    }
  }

  static final class Running implements ServerExtensionBase.Setup {
    final NatsServer server;
    final NatsCluster cluster;
    final NatsContainer container;

    Running(NatsServer server, NatsCluster cluster, NatsContainer container) {
      this.server = server;
      this.cluster = cluster;
      this.container = container;
    }

    @Override
    public boolean restore(String test, Duration within) {
      if (server != null) {
        server.restoreBefore(test);
        return true;
      }
      return cluster.isHealthy(within);
    }

    @Override
    public Path dir() {
      return server != null ? server.dir() : cluster.dir();
    }

    @Override
    public FaultJournal journal() {
      return server != null ? server.journal() : cluster.journal();
    }

    @Override
    public List<NatsServer> processes() {
      return container != null ? List.of() : server != null ? List.of(server) : cluster.nodes();
    }

    @Override
    public void close() {
      if (server != null) {
        server.close();
      }
      if (cluster != null) {
        cluster.close();
      }
      if (container != null) {
        container.close();
      }
    }
  }
}

package dev.isb.testkit;

import dev.isb.servers.NatsClientSettings;
import dev.isb.servers.NatsCluster;
import dev.isb.servers.NatsContainer;
import dev.isb.servers.NatsServer;
import java.util.List;

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
public final class NatsServerExtension
    extends ServerExtensionBase<NatsServerExtension, NatsServer.Options> implements NatsClientSettings {

  private static final Program PROGRAM =
      new Program(
          "nats-server",
          NatsServer.BINARY_ENV,
          "single server",
          "clusters, TLS, authentication or max_payload");

  private final int nodes; // 1 = a single server

  /** A plain single server, for {@code @ExtendWith(NatsServerExtension.class)}; same as {@link #single()}. */
  public NatsServerExtension() {
    this(1, NatsServer.Options.defaults());
  }

  private NatsServerExtension(int nodes, NatsServer.Options options) {
    super(PROGRAM, options);
    this.nodes = nodes;
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

  /**
   * This extension with clients required to log in.
   *
   * @param user the user name, not blank
   * @param password the password, not blank
   * @return a new extension
   */
  public NatsServerExtension withUser(String user, String password) {
    return with(options.withUser(user, password));
  }

  /**
   * This extension with clients required to present a token.
   *
   * @param token the token, not blank
   * @return a new extension
   */
  public NatsServerExtension withToken(String token) {
    return with(options.withToken(token));
  }

  /**
   * This extension with NKey authentication: clients sign with the seed of this user public key.
   *
   * @param publicKey a user public key ({@code U...})
   * @return a new extension
   */
  public NatsServerExtension withNkey(String publicKey) {
    return with(options.withNkey(publicKey));
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
    return with(
        options.withUserPermissions(
            new NatsServer.UserPermissions(user, password, publishAllow, subscribeAllow)));
  }

  /**
   * This extension with each server advertising {@code host} to clients, with its own port, instead
   * of {@code 127.0.0.1}: a cluster's clients then reconnect to that host.
   *
   * @param host a host name or address, not blank
   * @return a new extension
   */
  public NatsServerExtension withClientAdvertise(String host) {
    return with(options.withClientAdvertise(host));
  }

  /**
   * This extension with another {@code max_payload} (default 1 MiB).
   *
   * @param bytes between 1 and 64 MiB
   * @return a new extension
   */
  public NatsServerExtension withMaxPayload(int bytes) {
    return with(options.withMaxPayload(bytes));
  }

  /**
   * The URL clients use: one server's ({@code nats://127.0.0.1:<port>}, {@code tls://…} with TLS),
   * or for a cluster every node's, comma-separated.
   *
   * @throws IllegalStateException if the extension has not started
   */
  public String url() {
    Object what = running().what;
    if (what instanceof NatsContainer container) {
      return container.url();
    }
    return what instanceof NatsCluster cluster ? cluster.urls() : ((NatsServer) what).url();
  }

  /**
   * The single server, for its ports and directories and to kill, restart, pause or resume it.
   *
   * @throws IllegalStateException if this extension runs a cluster, or has not started
   */
  public NatsServer server() {
    return local(NatsServer.class, "this extension runs a cluster: use cluster().node(i)");
  }

  /**
   * The cluster, for its nodes and meta leader.
   *
   * @throws IllegalStateException if this extension runs a single server, or has not started
   */
  public NatsCluster cluster() {
    return runningAs(NatsCluster.class, "this extension runs a single server: use server()");
  }

  /** The options the servers run with, without the binary, which is looked for at start. */
  @Override
  public NatsServer.Options options() {
    return options;
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

  @Override
  NatsServerExtension with(NatsServer.Options changed) {
    return new NatsServerExtension(nodes, changed);
  }

  @Override
  AutoCloseable startLocal(NatsServer.Options local) {
    return nodes == 1 ? NatsServer.start(local) : NatsCluster.start(local, nodes, "isb");
  }

  @Override
  AutoCloseable startInDocker() {
    return NatsContainer.start();
  }

  @Override
  boolean runsInDocker() {
    return nodes == 1 && options.plain();
  }

  /** A {@link NatsServer} for a single server, {@link NatsCluster} for a cluster. */
  @Override
  Class<?> parameterType() {
    return nodes == 1 ? NatsServer.class : NatsCluster.class;
  }
}

package dev.isb.servers;

import dev.isb.spi.Checks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One real {@code nats-server} process with JetStream, on a random port of 127.0.0.1, with its own
 * configuration file, log file and storage directory in a fresh temp directory. For tests: start it,
 * point a client at {@link #url()}, and inject faults with {@link #kill()}, {@link #restart()},
 * {@link #pause()} and {@link #resume()}.
 *
 * <pre>{@code
 * try (NatsServer nats = NatsServer.builder().maxPayload(2 << 20).user("u", "p").start()) {
 *   Connection nc = Nats.connect(new Options.Builder().server(nats.url()).userInfo("u", "p").build());
 *   nats.pause();    // the client sees a stalled server
 *   nats.resume();
 *   nats.kill();     // SIGKILL; the storage directory survives
 *   nats.restart();  // same port, same configuration, same storage
 * }
 * }</pre>
 *
 * <p>Most tests use it through {@code dev.isb.testkit.NatsServerExtension} (module isb-testkit).
 * The binary is the one named by the
 * environment variable {@code ISB_NATS_SERVER}, else {@code nats-server} on the PATH, else
 * {@code /usr/sbin/nats-server}, unless {@link KitBuilder#binary(Path)} names one. Thread-safe: the
 * node control methods are synchronized.
 */
public final class NatsServer extends KitServer implements NatsClientSettings {

  /** NATS's own default {@code max_payload}: 1 MiB. */
  public static final int DEFAULT_MAX_PAYLOAD = 1 << 20;

  /** The environment variable that may name the nats-server binary. */
  public static final String BINARY_ENV = "ISB_NATS_SERVER";

  static final ServerBinary BINARY = ServerBinary.NATS_SERVER;

  private static final String READY = "Server is ready";
  private static final int MAX_STATE_CHARS = 4000;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final Options options;
  private final Path storeDir;
  private final int monitorPort;

  NatsServer(
      Options options,
      Path binary,
      String serverName,
      Path dir,
      int port,
      int monitorPort,
      Route route,
      TestCertificates certificates) {
    super(
        serverName,
        dir,
        dir.resolve("nats.conf"),
        port,
        options.common(),
        certificates,
        new ServerProcess(
            "nats-server " + serverName,
            List.of(binary.toString(), "-c", dir.resolve("nats.conf").toString()),
            dir,
            dir.resolve("nats.log")));
    this.options = options;
    this.storeDir = dir.resolve("jetstream");
    this.monitorPort = monitorPort;
    createDirectories(storeDir);
    writeConfig(config(route));
  }

  /**
   * Starts a plain JetStream server with the defaults: no TLS, no authentication, 1 MiB
   * {@code max_payload}.
   *
   * @return the running server, ready for clients
   * @throws IllegalStateException if no binary is found or the server does not become ready in time
   */
  public static NatsServer start() {
    return builder().start();
  }

  /** A builder for a server with TLS, authentication or another {@code max_payload}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a server with these options on free ports of 127.0.0.1 and waits until it logged that it
   * is ready and accepts connections. A port taken in the meantime by another process is retried
   * with others.
   *
   * @return the running server
   * @throws IllegalStateException if no binary is found, or the server does not become ready in
   *     time (the message has the tail of its log)
   */
  public static NatsServer start(Options options) {
    Path binary = options.requireBinary();
    return startAlone(
        "nats-server",
        "isb-nats-",
        2,
        options.common(),
        (dir, ports, certificates) ->
            new NatsServer(options, binary, "isb-nats", dir, ports[0], ports[1], null, certificates));
  }

  /** The URL clients use: {@code nats://127.0.0.1:<port>}, or {@code tls://…} with TLS. */
  public String url() {
    return (tls() ? "tls" : "nats") + "://127.0.0.1:" + port();
  }

  /** The HTTP monitoring port on 127.0.0.1 ({@code /varz}, {@code /jsz}, …). */
  public int monitorPort() {
    return monitorPort;
  }

  /** The server's {@code server_name}. */
  public String serverName() {
    return processName();
  }

  /** The JetStream {@code store_dir}; it survives {@link #kill()} and {@link #restart()}. */
  public Path storeDir() {
    return storeDir;
  }

  /** The options this server runs with. */
  @Override
  public Options options() {
    return options;
  }

  @Override
  public String toString() {
    return "NatsServer[" + serverName() + " " + url() + "]";
  }

  /**
   * The JetStream meta leader and peers this server reports in {@code /jsz}, and each stream's and
   * consumer's state (messages, sequences, delivered, acknowledged, pending: the start of {@code
   * account_details}).
   */
  @Override
  String describeLiveState() {
    return monitor("/jsz?accounts=true&streams=true&consumers=true")
        .map(NatsServer::jetStreamState)
        .orElse("/jsz did not answer");
  }

  /** The meta cluster and the account details of a {@code /jsz} body, on one line each. */
  private static String jetStreamState(String jsz) {
    int meta = jsz.indexOf("\"meta_cluster\"");
    int accounts = jsz.indexOf("\"account_details\"");
    String metaPart =
        meta < 0
            ? "no meta_cluster in /jsz"
            : jsz.substring(meta, accounts > meta ? accounts : jsz.length());
    String streams = accounts < 0 ? "" : jsz.substring(accounts);
    if (streams.length() > MAX_STATE_CHARS) {
      streams = streams.substring(0, MAX_STATE_CHARS) + "… (the rest in /jsz)";
    }
    return metaPart.replaceAll("\\s+", " ") + "\n  " + streams.replaceAll("\\s+", " ");
  }

  @Override
  String readyMarker() {
    return READY;
  }

  /** The body of a monitoring endpoint such as {@code /jsz}, or empty if the server did not answer. */
  Optional<String> monitor(String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitorPort + path))
            .timeout(Duration.ofSeconds(1))
            .GET()
            .build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private String config(Route route) {
    StringBuilder c = new StringBuilder();
    c.append("# Written by the ISB test kit.\n");
    c.append("server_name: ").append(quote(serverName())).append('\n');
    c.append("listen: ").append(quote("127.0.0.1:" + port())).append('\n');
    c.append("http: ").append(quote("127.0.0.1:" + monitorPort)).append('\n');
    c.append("max_payload: ").append(options.maxPayload()).append('\n');
    c.append("jetstream {\n  store_dir: ").append(quote(storeDir.toString())).append("\n}\n");
    if (options.restricted() != null) {
      c.append("authorization {\n  users: [\n");
      if (options.user() != null) {
        c.append("    { user: ").append(quote(options.user()));
        c.append(", password: ").append(quote(options.password())).append(" }\n");
      }
      UserPermissions r = options.restricted();
      c.append("    { user: ").append(quote(r.user()));
      c.append(", password: ").append(quote(r.password())).append(",\n");
      c.append("      permissions: {\n");
      c.append("        publish: { allow: ").append(quoteAll(r.publishAllow())).append(" }\n");
      c.append("        subscribe: { allow: ").append(quoteAll(r.subscribeAllow())).append(" }\n");
      c.append("      } }\n  ]\n}\n");
    } else if (options.user() != null) {
      c.append("authorization {\n  user: ").append(quote(options.user()));
      c.append("\n  password: ").append(quote(options.password())).append("\n}\n");
    } else if (options.token() != null) {
      c.append("authorization {\n  token: ").append(quote(options.token())).append("\n}\n");
    } else if (options.nkey() != null) {
      c.append("authorization {\n  users: [ { nkey: ").append(quote(options.nkey())).append(" } ]\n}\n");
    }
    TestCertificates certificates = certificatesOrNull();
    if (certificates != null) {
      c.append("tls {\n");
      c.append("  cert_file: ").append(quote(certificates.serverCertificate().toString())).append('\n');
      c.append("  key_file: ").append(quote(certificates.serverKey().toString())).append('\n');
      c.append("  ca_file: ").append(quote(certificates.caCertificate().toString())).append('\n');
      c.append("  verify: ").append(options.mutualTls()).append('\n');
      c.append("  timeout: 5\n}\n");
    }
    if (options.clientAdvertise() != null) {
      c.append("client_advertise: ").append(quote(options.clientAdvertise() + ":" + port())).append('\n');
    }
    if (route != null) {
      c.append("cluster {\n  name: ").append(quote(route.clusterName())).append('\n');
      c.append("  listen: ").append(quote("127.0.0.1:" + route.port())).append('\n');
      c.append("  routes: [\n");
      for (int peer : route.peerPorts()) {
        c.append("    ").append(quote("nats-route://127.0.0.1:" + peer)).append('\n');
      }
      c.append("  ]\n}\n");
    }
    return c.toString();
  }

  private static String quote(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static String quoteAll(List<String> values) {
    return values.stream()
        .map(NatsServer::quote)
        .collect(Collectors.joining(", ", "[", "]"));
  }

  /**
   * A user who may publish and subscribe only to the listed subjects ({@code permissions} with
   * {@code allow} lists in the server's configuration); NATS wildcards ({@code *} for one token,
   * {@code >} for the rest) are allowed. Immutable.
   *
   * @param user the user name, not blank
   * @param password the password, not blank
   * @param publishAllow the subjects the user may publish to, at least one
   * @param subscribeAllow the subjects the user may subscribe to, at least one (replies come on
   *     {@code _INBOX.>})
   */
  public record UserPermissions(
      String user, String password, List<String> publishAllow, List<String> subscribeAllow) {

    public UserPermissions {
      Checks.notBlank("user", user);
      Checks.notBlank("password", password);
      publishAllow = requireSubjects(publishAllow, "publishAllow");
      subscribeAllow = requireSubjects(subscribeAllow, "subscribeAllow");
    }

    /** An empty allow list would mean "everything" to nats-server: refused. */
    private static List<String> requireSubjects(List<String> subjects, String name) {
      Objects.requireNonNull(subjects, name);
      if (subjects.isEmpty()) {
        throw new IllegalArgumentException(
            name + " must list at least one subject (an empty list allows all), was []");
      }
      for (String subject : subjects) {
        if (subject == null
            || subject.isBlank()
            || subject.chars().anyMatch(Character::isWhitespace)) {
          throw new IllegalArgumentException(
              name + " must hold subjects without whitespace, was '" + subject + "'");
        }
      }
      return List.copyOf(subjects);
    }

    @Override
    public String toString() {
      return "UserPermissions[" + user + ", publish " + publishAllow + ", subscribe "
          + subscribeAllow + "]";
    }
  }

  /** The cluster block of a node: its route port and those of its peers. */
  record Route(String clusterName, int port, List<Integer> peerPorts) {
    Route {
      peerPorts = List.copyOf(peerPorts);
    }
  }

  /**
   * What a server or cluster is configured with; each {@code with…} method validates its argument.
   * Immutable.
   *
   * @param common the binary, TLS and start timeout
   * @param maxPayload the largest message the server accepts, in bytes
   * @param user the user clients log in as, or null
   * @param password the password of {@code user}, or null
   * @param token the token clients present, or null
   * @param nkey the user public key clients sign with, or null
   * @param restricted a user with publish and subscribe permissions, or null
   * @param clientAdvertise the host each server advertises to clients (with its own port), or null
   *     for its listen address
   */
  public record Options(
      CommonOptions common,
      int maxPayload,
      String user,
      String password,
      String token,
      String nkey,
      UserPermissions restricted,
      String clientAdvertise)
      implements KitOptions<Options> {

    /** 64 MiB: the largest {@code max_payload} nats-server accepts. */
    static final int MAX_MAX_PAYLOAD = 64 << 20;

    /** No TLS, no authentication, 1 MiB {@code max_payload}. */
    public static Options defaults() {
      return new Options(
          CommonOptions.defaults(), DEFAULT_MAX_PAYLOAD, null, null, null, null, null, null);
    }

    /** Whether this is the default server that any nats image runs, as Testcontainers would. */
    @Override
    public boolean plain() {
      return equals(defaults().withBinary(binary()).withStartTimeout(startTimeout()));
    }

    @Override
    public Options withCommon(CommonOptions common) {
      return new Options(common, maxPayload, user, password, token, nkey, restricted, clientAdvertise);
    }

    /** These options with another {@code max_payload}, between 1 byte and 64 MiB. */
    public Options withMaxPayload(int bytes) {
      if (bytes <= 0 || bytes > MAX_MAX_PAYLOAD) {
        throw new IllegalArgumentException(
            "maxPayload must be between 1 and " + MAX_MAX_PAYLOAD + " bytes, was " + bytes);
      }
      return new Options(common, bytes, user, password, token, nkey, restricted, clientAdvertise);
    }

    /** These options with a user and password clients log in with; not with a token or an nkey. */
    public Options withUser(String user, String password) {
      Checks.notBlank("user", user);
      Checks.notBlank("password", password);
      if (token != null || nkey != null) {
        throw new IllegalStateException("user cannot be set: a token or an nkey is already set");
      }
      if (restricted != null && restricted.user().equals(user)) {
        throw new IllegalArgumentException(
            "user must differ from the user with permissions, was '" + user + "'");
      }
      return new Options(common, maxPayload, user, password, null, null, restricted, clientAdvertise);
    }

    /** These options with a token clients present; not with a user or an nkey. */
    public Options withToken(String token) {
      Checks.notBlank("token", token);
      if (user != null || nkey != null || restricted != null) {
        throw new IllegalStateException("token cannot be set: a user or an nkey is already set");
      }
      return new Options(common, maxPayload, null, null, token, null, null, clientAdvertise);
    }

    /** These options with an NKey clients sign with; not with a user or a token. */
    public Options withNkey(String publicKey) {
      Checks.notBlank("nkey", publicKey);
      if (!publicKey.startsWith("U")) {
        throw new IllegalArgumentException("nkey must be a user public key (starting with U), was '" + publicKey + "'");
      }
      if (user != null || token != null || restricted != null) {
        throw new IllegalStateException("nkey cannot be set: a user or a token is already set");
      }
      return new Options(common, maxPayload, null, null, null, publicKey, null, clientAdvertise);
    }

    /** These options with a user of limited permissions; not with a token or an nkey. */
    public Options withUserPermissions(UserPermissions permissions) {
      Objects.requireNonNull(permissions, "permissions");
      if (token != null || nkey != null) {
        throw new IllegalStateException(
            "a user with permissions cannot be set: a token or an nkey is already set");
      }
      if (permissions.user().equals(user)) {
        throw new IllegalArgumentException(
            "user with permissions must differ from the plain user, was '" + user + "'");
      }
      return new Options(common, maxPayload, user, password, null, null, permissions, clientAdvertise);
    }

    /**
     * These options with each server advertising {@code host} and its own port to clients (the
     * {@code connect_urls} of its INFO), instead of its listen address.
     */
    public Options withClientAdvertise(String host) {
      Checks.notBlank("clientAdvertise", host);
      return new Options(common, maxPayload, user, password, token, nkey, restricted, host);
    }

    /** The binary to run: the one set, else the environment variable, the PATH, the Debian place. */
    @Override
    public Optional<Path> findBinary() {
      return BINARY.find(binary());
    }

    Path requireBinary() {
      return BINARY.require(binary(), "");
    }
  }

  /**
   * What the builders of a server and of a cluster set alike: {@code max_payload} and the
   * credentials, on every node, besides the binary, TLS and start timeout.
   *
   * @param <B> the builder itself
   */
  public abstract static class NatsBuilder<B extends NatsBuilder<B>>
      extends KitBuilder<B, Options> {

    NatsBuilder(Options options) {
      super(options);
    }

    /**
     * Sets {@code max_payload}, the largest message the server accepts (default 1 MiB).
     *
     * @param bytes between 1 and 64 MiB
     * @return this builder
     */
    public B maxPayload(int bytes) {
      return with(o -> o.withMaxPayload(bytes));
    }

    /**
     * Requires clients to log in with this user and password; exclusive with {@link #token}.
     *
     * @param user the user name, not blank
     * @param password the password, not blank
     * @return this builder
     */
    public B user(String user, String password) {
      return with(o -> o.withUser(user, password));
    }

    /**
     * Requires clients to present this token; exclusive with {@link #user}.
     *
     * @param token the token, not blank
     * @return this builder
     */
    public B token(String token) {
      return with(o -> o.withToken(token));
    }
  }

  /**
   * Builds and starts a {@link NatsServer}. Not thread-safe; each setter validates its argument.
   *
   * <pre>{@code
   * NatsServer nats = NatsServer.builder().tls().token("s3cret").start();
   * }</pre>
   */
  public static final class Builder extends NatsBuilder<Builder> {

    private Builder() {
      super(Options.defaults());
    }

    /**
     * Requires clients to sign in with the NKey whose public key this is; exclusive with {@link #user}
     * and {@link #token}.
     *
     * @param publicKey a user public key ({@code U...})
     * @return this builder
     */
    public Builder nkey(String publicKey) {
      return with(o -> o.withNkey(publicKey));
    }

    /**
     * Adds a user who may publish and subscribe only to the given subjects (NATS wildcards
     * allowed), for least-privilege tests; combines with {@link #user} (an unrestricted second
     * user, say an admin), not with {@link #token} or {@link #nkey}.
     *
     * @param user the user name, not blank, not the {@link #user} one
     * @param password the password, not blank
     * @param publishAllow the subjects the user may publish to, at least one
     * @param subscribeAllow the subjects the user may subscribe to, at least one
     * @return this builder
     */
    public Builder userPermissions(
        String user, String password, List<String> publishAllow, List<String> subscribeAllow) {
      UserPermissions permissions = new UserPermissions(user, password, publishAllow, subscribeAllow);
      return with(o -> o.withUserPermissions(permissions));
    }

    /**
     * Starts the server on free ports of 127.0.0.1 and waits until it logged that it is ready and
     * accepts connections. A port taken in the meantime by another process is retried with others.
     *
     * @return the running server
     * @throws IllegalStateException if no binary is found, or the server does not become ready in
     *     time (the message has the tail of its log)
     */
    public NatsServer start() {
      return NatsServer.start(options());
    }
  }
}

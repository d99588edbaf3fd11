package dev.isb.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.isb.BufferConfig;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.IsbConfigException;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.config.IsbConfig;
import dev.isb.servers.ClientTls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit extension that fails a test class if any of its secrets shows up in a log line, on the
 * standard streams, or in what the tests noted: from the start of the class, everything is recorded
 * with a {@link LogCapture} at every level; after each test the text of that test, and after all
 * tests the whole text (for lines that come late), is searched for every secret. A backend's
 * secrets-in-logs test registers it after its servers, so that what the servers log while they
 * start is not searched:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final NatsServerExtension NATS = NatsServerExtension.single().withToken(TOKEN);
 *
 * @Order(Integer.MAX_VALUE) // after the servers: starts capturing once they run
 * @RegisterExtension
 * static final SecretsInLogs LOGS = SecretsInLogs.of(TOKEN, WRONG_TOKEN);
 *
 * @Test
 * void wrongToken() {
 *   Throwable failure = LOGS.failureToOpen(optionsWith(WRONG_TOKEN));
 *   assertThat(failure).isInstanceOf(IsbBackendException.class);
 * }
 * }</pre>
 *
 * <p>Besides the capture, it holds what such tests share: the self-check that the capture sees each
 * way a line can be written, a failed open whose error is noted, a noted {@link IsbConfig}, and a
 * round trip through a buffer. Tests of one class run one at a time; the capture itself may receive
 * records from any thread.
 */
public final class SecretsInLogs
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

  /** Buffers of {@link #roundTrip} are named {@code sec-<hex>-0}: an ACL can allow this prefix. */
  public static final String BUFFER_PREFIX = "sec-";

  private final List<String> secrets = new ArrayList<>();
  private final List<Supplier<Path>> keyFiles = new ArrayList<>();
  private final Map<String, Level> levels;
  private final RoundTrip roundTrip;
  private LogCapture capture;
  private int mark;

  private SecretsInLogs(
      List<String> secrets, List<Supplier<Path>> keyFiles, Map<String, Level> levels, RoundTrip roundTrip) {
    this.secrets.addAll(secrets);
    this.keyFiles.addAll(keyFiles);
    this.levels = Map.copyOf(levels);
    this.roundTrip = roundTrip;
  }

  /** How {@link #roundTrip(IsbClient)} uses a buffer. */
  private record RoundTrip(BufferConfig config, WriterOptions writer, ReaderOptions reader, Duration readTimeout) {}

  /**
   * An extension that searches for {@code secrets}: passwords, tokens, seeds, anything that must
   * never be shown.
   *
   * @param secrets the texts no captured line may hold
   * @return the extension, to register with {@code @RegisterExtension}
   */
  public static SecretsInLogs of(String... secrets) {
    return new SecretsInLogs(List.of(secrets), List.of(), Map.of(),
        new RoundTrip(BufferConfig.defaults(), WriterOptions.defaults(), ReaderOptions.defaults(), Duration.ofMillis(500)));
  }

  /**
   * Also searches for each line of the private key in a PEM file, which a server extension
   * typically creates only when it starts; so the file is read when the capture starts.
   *
   * @param keyFile where the PEM file is, asked once the servers run
   * @return a copy of this extension that searches for the key's lines too
   */
  public SecretsInLogs withKeyFile(Supplier<Path> keyFile) {
    List<Supplier<Path>> files = new ArrayList<>(keyFiles);
    files.add(Objects.requireNonNull(keyFile, "keyFile"));
    return new SecretsInLogs(secrets, files, levels, roundTrip);
  }

  /**
   * Captures the named loggers at the given levels instead of {@code ALL}, for a logger that is
   * known to print secrets at its finest level (see {@link LogCapture#start(Map)}).
   *
   * @param levels logger name to level
   * @return a copy of this extension with those levels
   */
  public SecretsInLogs withLevels(Map<String, Level> levels) {
    return new SecretsInLogs(secrets, keyFiles, levels, roundTrip);
  }

  /**
   * Makes {@link #roundTrip(IsbClient)} create its buffers with {@code config} and open them with
   * these options (default: Numaflow's defaults and reads of 500 ms).
   *
   * @param config the buffer's configuration
   * @param writerOptions the writer's options
   * @param readerOptions the reader's options
   * @param readTimeout the timeout of each read while waiting for the message, for at most 10 s
   * @return a copy of this extension with that round trip
   */
  public SecretsInLogs withRoundTrip(BufferConfig config, WriterOptions writerOptions,
      ReaderOptions readerOptions, Duration readTimeout) {
    return new SecretsInLogs(secrets, keyFiles, levels,
        new RoundTrip(config, writerOptions, readerOptions, readTimeout));
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    for (Supplier<Path> keyFile : keyFiles) {
      // The PEM armour lines are not secret; the short last line of the body is too short to search for.
      for (String line : Files.readAllLines(keyFile.get())) {
        if (!line.startsWith("-----") && line.length() >= 16) {
          secrets.add(line);
        }
      }
    }
    capture = LogCapture.start(levels);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    mark = capture.mark();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    capture.assertNoSecret(mark, secrets);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      capture.assertNoSecret(0, secrets);
    } finally {
      capture.close();
    }
  }

  /**
   * Where the captured text ends now.
   *
   * @return a mark for {@link #textSince}
   */
  public int mark() {
    return capture.mark();
  }

  /**
   * Everything captured since {@code mark}.
   *
   * @param mark from {@link #mark()}
   * @return the captured text since then
   */
  public String textSince(int mark) {
    return capture.textSince(mark);
  }

  /**
   * Everything captured since the current test started.
   *
   * @return the captured text of this test so far
   */
  public String textOfThisTest() {
    return capture.textSince(mark);
  }

  /**
   * Adds what a test printed itself to the searched text (see {@link LogCapture#note(String, Object)}).
   *
   * @param label what was printed, such as {@code "options"}
   * @param printed the object whose {@code toString()} is searched
   */
  public void note(String label, Object printed) {
    capture.note(label, printed);
  }

  /**
   * Adds a failure as a user would see it to the searched text (see {@link LogCapture#note(Throwable)}).
   *
   * @param failure the failure, or {@code null} for none
   */
  public void note(Throwable failure) {
    capture.note(failure);
  }

  /**
   * Adds everything a configuration shows about itself: its {@code toString()}, {@code describe()},
   * warnings, and the options it makes.
   *
   * @param config the configuration to print
   */
  public void noteConfig(IsbConfig config) {
    capture.note("config", config);
    capture.note("describe", config.describe());
    capture.note("warnings", config.warnings());
    capture.note("options", config.toIsbOptions());
  }

  /**
   * Opens a client with {@code options} (closing it if it opens) and notes the failure.
   *
   * @param options the options to open with
   * @return what opening threw, or {@code null} if it opened
   */
  public Throwable failureToOpen(IsbOptions options) {
    Throwable failure = catchThrowable(() -> IsbClient.open(options).close());
    capture.note(failure);
    return failure;
  }

  /**
   * A fresh canary, a text no test would log by chance, for {@link #assertSeesCanary}.
   *
   * @return {@code canary-<hex>}
   */
  public String canary() {
    return "canary-" + hex();
  }

  /**
   * The self-check of a secrets-in-logs test, so that a leak could not pass unseen: after the test
   * logged {@code canary-<route>} through each of its backend's {@code routes}, this prints the
   * canary to {@code System.out} and {@code System.err}, logs a failure through {@code
   * failureLogger} with the canary in a suppressed exception of its cause, and notes it; then
   * asserts that the text of this test holds each of them, and that {@link
   * LogCapture#assertNoSecret} flags the suppressed one without showing it.
   *
   * @param canary from {@link #canary()}
   * @param failureLogger the backend's logger, to log the failure through
   * @param routes the suffixes of what the test logged itself, such as {@code "jul"}
   */
  public void assertSeesCanary(String canary, String failureLogger, String... routes) {
    System.out.println(canary + "-stdout");
    System.err.println(canary + "-stderr");
    var cause = new IllegalStateException("cause");
    cause.addSuppressed(new IOException(canary + "-suppressed"));
    Logger.getLogger(failureLogger).log(Level.FINE, "a failure", new RuntimeException("outer", cause));
    capture.note("printed", canary + "-noted");

    String captured = textOfThisTest();
    for (String where : Stream.concat(Stream.of(routes),
        Stream.of("stdout", "stderr", "suppressed", "noted")).toList()) {
      assertThat(captured).as("captured text").contains(canary + "-" + where);
    }
    assertThatThrownBy(() -> capture.assertNoSecret(mark, List.of(canary + "-suppressed")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("<secret 0>")
        .hasMessageNotContaining(canary + "-suppressed");
  }

  /**
   * Notes the options, opens a client with them, notes it, makes a {@link #roundTrip(IsbClient)}
   * through it and closes it.
   *
   * @param options the options to open with
   */
  public void openAndRoundTrip(IsbOptions options) {
    capture.note("options", options);
    try (IsbClient client = IsbClient.open(options)) {
      capture.note("client", client);
      roundTrip(client);
    }
  }

  /**
   * Notes what a configuration shows (see {@link #noteConfig}) when built from each URL, or the
   * error when it refuses one: URLs with credentials in their user info, for instance.
   *
   * @param backend the configuration's backend
   * @param urls the URLs to build a configuration from
   */
  public void noteConfigsFromUrls(String backend, List<String> urls) {
    for (String url : urls) {
      try {
        noteConfig(IsbConfig.builder().backend(backend).url(url).build());
      } catch (IsbConfigException refused) {
        capture.note(refused);
      }
    }
  }

  /**
   * Creates {@code dir/secrets} holding the test CA, the client certificate and its key as the
   * files of a Kubernetes TLS secret ({@code ca.crt}, {@code tls.crt}, {@code tls.key}).
   *
   * @param dir where to create the directory
   * @param tls the servers whose TLS material to copy
   * @return the directory, for {@link IsbConfig.Builder#secretDir}
   * @throws IOException if a file cannot be written
   */
  public static Path tlsSecretDir(Path dir, ClientTls tls) throws IOException {
    Path secrets = Files.createDirectories(dir.resolve("secrets"));
    Files.copy(tls.caCertificate(), secrets.resolve("ca.crt"));
    Files.copy(tls.clientCertificate(), secrets.resolve("tls.crt"));
    Files.copy(tls.clientKey(), secrets.resolve("tls.key"));
    return secrets;
  }

  /**
   * Creates a buffer, writes a message, reads and acks it, and deletes the buffer, noting the
   * writer and the reader; see {@link #withRoundTrip} for the buffer's configuration and options.
   *
   * @param client the client under test
   */
  public void roundTrip(IsbClient client) {
    String buffer = BUFFER_PREFIX + hex() + "-0";
    client.admin().createBuffers(List.of(buffer), roundTrip.config());
    Message sent = Message.data(new MessageId("in", "1", 0), "payload".getBytes(UTF_8));
    Duration readTimeout = roundTrip.readTimeout();
    try (BufferWriter writer = client.writer(buffer, roundTrip.writer());
        BufferReader reader = client.reader(buffer, roundTrip.reader())) {
      capture.note("writer", writer);
      capture.note("reader", reader);
      assertThat(writer.write(sent)).isInstanceOf(WriteResult.Written.class);
      List<ReadMessage> read = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (read.isEmpty() && System.nanoTime() - deadline < 0) {
        read.addAll(reader.read(1, readTimeout));
      }
      assertThat(read).singleElement().satisfies(m -> assertThat(m.message()).isEqualTo(sent));
      reader.ack(read.get(0).offset());
    } finally {
      client.admin().deleteBuffers(List.of(buffer));
    }
  }

  private static String hex() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  }
}

package dev.isb.cli;

import dev.isb.IsbClient;
import dev.isb.config.IsbConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where the ISB is and how buffers are made: the sources a vertex reads ({@link IsbConfig#load()}:
 * the default locations and the environment), then these options, which win. No password option on
 * purpose: a command line is visible to every user of the machine; secrets come from the environment,
 * a secret directory, or (when nothing else will do) {@code --set password=...}.
 */
final class ConfigOptions {

  /** For picocli, and for a run without any of these options. */
  ConfigOptions() {}

  @Option(names = "--backend", paramLabel = "NAME",
      description = "jetstream or redis (default: from the configuration sources)")
  private String backend;

  @Option(names = "--url", paramLabel = "URL",
      description = "nats://host:4222, redis://host:6379, ...; several are comma-separated")
  private String url;

  @Option(names = "--user", paramLabel = "NAME", description = "the user name")
  private String user;

  @Option(names = "--tls", negatable = true, description = "use TLS (default: from the configuration sources)")
  private Boolean tls;

  @Option(names = "--tls-ca-file", paramLabel = "FILE", description = "PEM file of the CA that signed the server")
  private Path tlsCaFile;

  @Option(names = "--config-dir", paramLabel = "DIR",
      description = "read DIR/controller-config.yaml, DIR/isbsvc/ and DIR/secrets/ (as ISB_CONFIG_DIR)")
  private Path configDir;

  @Option(names = "--controller-config", paramLabel = "FILE",
      description = "the controller configuration (controller-config.yaml or its ConfigMap)")
  private Path controllerConfig;

  @Option(names = "--isbsvc", paramLabel = "FILE|DIR",
      description = "InterStepBufferService resources (repeatable)")
  private List<Path> isbServiceFiles;

  @Option(names = "--isbsvc-name", paramLabel = "NAME",
      description = "the InterStepBufferService to use (default: ISB_SERVICE_NAME, else 'default')")
  private String isbServiceName;

  @Option(names = "--secret-dir", paramLabel = "DIR",
      description = "a directory of secret files: user, password, token, ca.crt, ... (repeatable)")
  private List<Path> secretDirs;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "any setting of docs/configuration.md, e.g. stream.maxMsgs=50000 (repeatable; wins over"
          + " everything)")
  private List<String> settings;

  /**
   * Resolves the configuration.
   *
   * @throws CliException with {@link ExitCodes#USAGE} for a bad option value
   * @throws dev.isb.IsbConfigException when the sources are invalid
   */
  IsbConfig resolve(Map<String, String> environment) {
    var env = new HashMap<>(environment);
    if (configDir != null) {
      requireExisting("--config-dir", configDir, true);
      env.put("ISB_CONFIG_DIR", configDir.toString());
    }
    IsbConfig.Builder b = IsbConfig.builder().environment(env).defaultLocations();
    if (controllerConfig != null) {
      b.controllerConfig(requireExisting("--controller-config", controllerConfig, false));
    }
    for (Path p : orEmpty(isbServiceFiles)) {
      requireExistingFileOrDirectory("--isbsvc", p);
      b.isbServiceFile(p);
    }
    for (Path p : orEmpty(secretDirs)) {
      b.secretDir(requireExisting("--secret-dir", p, true));
    }
    option("--isbsvc-name", isbServiceName, () -> b.isbServiceName(isbServiceName));
    option("--backend", backend, () -> b.backend(backend));
    option("--url", url, () -> b.url(url));
    option("--user", user, () -> b.user(user));
    option("--tls", tls, () -> b.tls(tls));
    option("--tls-ca-file", tlsCaFile, () -> b.tlsCaFile(tlsCaFile));
    for (String s : orEmpty(settings)) {
      int eq = s.indexOf('=');
      if (eq <= 0) {
        // The argument is not echoed: it may be a secret given without its key.
        throw CliException.usage("--set takes KEY=VALUE, such as --set stream.maxMsgs=50000, but one of its"
            + " arguments has no key or no '=' (not shown, in case it is a secret)");
      }
      String key = s.substring(0, eq).trim();
      option("--set", s, () -> b.setting(key, s.substring(eq + 1)));
    }
    return b.build();
  }

  /**
   * Opens a client on the configured backend.
   *
   * @throws CliException with {@link ExitCodes#CONFIG} when the backend refuses the settings
   * @throws dev.isb.IsbBackendException when the service cannot be reached
   */
  static IsbClient open(IsbConfig config) {
    if (config.backend().equals("memory")) {
      throw new CliException(ExitCodes.CONFIG, "the backend is 'memory', which keeps its buffers inside one JVM"
          + " where no admin tool can reach them: use --backend jetstream or --backend redis");
    }
    try {
      return config.open();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.CONFIG, "the " + config.backend() + " backend refused the configuration: "
          + e.getMessage(), e);
    }
  }

  /** Applies an option to the builder; the builder's message names the setting and the value (secrets redacted). */
  private static void option(String name, Object value, Runnable apply) {
    if (value == null) {
      return;
    }
    try {
      apply.run();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, name + ": " + e.getMessage(), e);
    }
  }

  private static Path requireExisting(String option, Path path, boolean directory) {
    if (directory ? !Files.isDirectory(path) : !Files.isRegularFile(path)) {
      throw CliException.usage(option + " was '" + path + "' but it must be an existing "
          + (directory ? "directory" : "file"));
    }
    return path;
  }

  private static void requireExistingFileOrDirectory(String option, Path path) {
    if (!Files.exists(path)) {
      throw CliException.usage(option + " was '" + path + "' but it must be an existing file or directory");
    }
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}

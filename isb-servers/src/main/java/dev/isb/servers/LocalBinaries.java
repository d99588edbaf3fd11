package dev.isb.servers;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the server extensions find what they run: a local binary (named by an environment variable,
 * on the PATH, or at a well-known place), else a Docker engine for Testcontainers. Thread-safe.
 */
public final class LocalBinaries {

  private LocalBinaries() {}

  /**
   * The server binary: the path in {@code envVar} when set, else {@code name} on the PATH, else the
   * first executable {@code fallbacks}.
   *
   * @throws IllegalStateException if {@code envVar} is set but does not name an executable file, a
   *     mistake better reported than papered over by a fallback
   */
  static Optional<Path> find(String envVar, String name, Path... fallbacks) {
    String configured = System.getenv(envVar);
    if (configured != null && !configured.isBlank()) {
      Path path = Path.of(configured.strip());
      if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
        throw new IllegalStateException(
            envVar + " was '" + configured + "' but it must name an executable " + name + " binary");
      }
      return Optional.of(path);
    }
    String searchPath = System.getenv("PATH");
    if (searchPath != null) {
      for (String dir : searchPath.split(File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        try {
          Path candidate = Path.of(dir, name);
          if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
            return Optional.of(candidate);
          }
        } catch (InvalidPathException e) {
          // a malformed PATH entry names no binary
        }
      }
    }
    for (Path fallback : fallbacks) {
      if (Files.isRegularFile(fallback) && Files.isExecutable(fallback)) {
        return Optional.of(fallback);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether Testcontainers finds a Docker engine. Slow and noisy when there is none, so asked only
   * when no binary was found, and once per JVM. Never throws: a missing or broken engine, or
   * Testcontainers missing from the class path, all mean "no".
   */
  public static boolean dockerAvailable() {
    return DockerProbe.AVAILABLE;
  }

  private static final class DockerProbe {
    static final boolean AVAILABLE = probe();

    private static boolean probe() {
      try {
        return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
      } catch (RuntimeException | LinkageError e) {
        return false;
      }
    }
  }
}

package dev.isb.cli;

import dev.isb.spi.IsbBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code isb --version}: this tool's version, the backends found on the class path (a quick check that
 * the runnable jar merged their service files) and the Java runtime.
 */
final class Version implements IVersionProvider {

  /** For picocli. */
  Version() {}

  @Override
  public String[] getVersion() {
    String backends = ServiceLoader.load(IsbBackend.class).stream().map(p -> p.get().name().toLowerCase(Locale.ROOT))
        .sorted().collect(Collectors.joining(", "));
    return new String[] {
        "isb " + version(),
        "backends: " + (backends.isEmpty() ? "none" : backends),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
  }

  /** The version the build wrote into {@code version.properties}. */
  static String version() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      var properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read version.properties", e);
    }
  }
}

package dev.isb;

import dev.isb.spi.Checks;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which ISB backend to open and where its service is. Immutable and thread-safe.
 *
 * <pre>{@code
 * IsbOptions options = IsbOptions.builder().backend("jetstream").url("nats://isbsvc-default-js-svc:4222").build();
 * }</pre>
 *
 * @param backend the backend's name: {@code memory}, {@code jetstream} or {@code redis}
 * @param url the service address in the backend's form; empty for the backend's default
 * @param properties backend-specific settings; values named like secrets are never printed
 */
public record IsbOptions(String backend, String url, Map<String, String> properties) {

  /** Checks for nulls and a blank backend name; copies the properties. */
  public IsbOptions {
    Checks.notBlank("backend", backend);
    Objects.requireNonNull(url, "url");
    properties = Map.copyOf(properties);
  }

  /** A builder with backend {@code memory}, no URL and no properties. */
  public static Builder builder() {
    return new Builder();
  }

  /** A property's value, or {@code defaultValue} when it is not set. */
  public String property(String name, String defaultValue) {
    return properties.getOrDefault(name, defaultValue);
  }

  /** Prints the options with the values of secret-looking properties redacted. */
  @Override
  public String toString() {
    var shown = new TreeMap<String, String>();
    properties.forEach((k, v) -> shown.put(k, Redaction.isSecretName(k) ? Redaction.REDACTED : v));
    return "IsbOptions{backend=" + backend + ", url=" + Redaction.addresses(url) + ", properties=" + shown + '}';
  }

  /** Builds {@link IsbOptions}. Not thread-safe. */
  public static final class Builder {
    private String backend = "memory";
    private String url = "";
    private final Map<String, String> properties = new TreeMap<>();

    private Builder() {}

    /** Sets the backend name. */
    public Builder backend(String backend) {
      this.backend = Checks.notBlank("backend", backend);
      return this;
    }

    /** Sets the service address. */
    public Builder url(String url) {
      this.url = Objects.requireNonNull(url, "url");
      return this;
    }

    /** Sets one backend-specific property. */
    public Builder property(String name, String value) {
      properties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** The options. */
    public IsbOptions build() {
      return new IsbOptions(backend, url, properties);
    }
  }
}

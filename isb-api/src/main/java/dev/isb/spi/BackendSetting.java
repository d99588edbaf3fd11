package dev.isb.spi;

import dev.isb.IsbOptions;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One property of {@link IsbOptions} that a backend reads, as it declares it in
 * {@link IsbBackend#settings()}: so that whoever assembles the options (the configuration loader of
 * {@code dev.isb.config}, the CLI) can check, redact and describe it without knowing the backend.
 * Immutable and thread-safe when {@code check} is.
 *
 * <pre>{@code
 * BackendSetting.of("sentinel.master", BackendSetting.Kind.TEXT, BackendSetting.ANY)
 * BackendSetting.of("token", BackendSetting.Kind.SECRET,
 *     BackendSetting.rule(t -> !t.isEmpty() && t.chars().noneMatch(Character::isWhitespace),
 *         "be a single word with no spaces or line breaks"))
 * }</pre>
 *
 * @param key the property name, e.g. {@code sentinel.url}; matched ignoring case
 * @param kind how a value is written, which decides how it is read and shown
 * @param defaultValue the value to show and pass on when nothing sets the property; empty when the
 *     backend's own default needs no mention
 * @param check the rule a value must keep, given the value as {@link Kind} reads it: empty when it keeps
 *     it, else the rule phrased to follow "but it must", e.g. {@code be 0 or more}
 */
public record BackendSetting(String key, Kind kind, Optional<String> defaultValue,
    Function<String, Optional<String>> check) {

  /** A check that accepts every value. */
  public static final Function<String, Optional<String>> ANY = value -> Optional.empty();

  /** How a value is written: each kind reads the raw text into the value {@link #check} is given. */
  public enum Kind {
    /** Text, trimmed; it must not be empty. */
    TEXT,
    /** Text with its trailing line breaks dropped (as a mounted secret file ends); never printed. */
    SECRET,
    /** A comma-separated list of addresses, each trimmed, at least one; printed with passwords redacted. */
    ADDRESSES,
    /** The path of an existing, readable file; a secret directory gives the file's path, not its contents. */
    FILE,
    /** A whole number that fits in a {@code long}, checked in its decimal form. */
    WHOLE_NUMBER
  }

  /** Checks for nulls and a blank key. */
  public BackendSetting {
    Checks.notBlank("key", key);
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(defaultValue, "defaultValue");
    Objects.requireNonNull(check, "check");
  }

  /** A setting without a default. */
  public static BackendSetting of(String key, Kind kind, Function<String, Optional<String>> check) {
    return new BackendSetting(key, kind, Optional.empty(), check);
  }

  /** This setting with a default value. */
  public BackendSetting withDefault(String value) {
    return new BackendSetting(key, kind, Optional.of(Objects.requireNonNull(value, "value")), check);
  }

  /** A check that a value keeps {@code keeps}, else reports {@code rule} (phrased to follow "but it must"). */
  public static Function<String, Optional<String>> rule(Predicate<String> keeps, String rule) {
    Objects.requireNonNull(keeps, "keeps");
    Objects.requireNonNull(rule, "rule");
    return value -> keeps.test(value) ? Optional.empty() : Optional.of(rule);
  }

  /** Whether the value is a secret, never printed. */
  public boolean secret() {
    return kind == Kind.SECRET;
  }

  /** The rule {@code value} breaks, or empty when it keeps {@link #check}. */
  public Optional<String> problem(String value) {
    return check.apply(value);
  }
}

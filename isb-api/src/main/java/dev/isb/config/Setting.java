package dev.isb.config;

import dev.isb.Redaction;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.config.ConfigValues.BadValue;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A setting {@link IsbConfig} resolves: one of its own ({@link ConfigSetting}) or one a backend on the
 * class path declares ({@link SettingCatalog}). Its key is also the {@code IsbOptions} property name
 * of a connection setting.
 */
interface Setting {

  String key();

  /** Reads and checks a value: a string as written in a file or variable, or a typed builder value. */
  Object parse(Object raw) throws BadValue;

  /** Whether the value itself is a secret (never printed). */
  boolean secret();

  /** Whether the value is a list of addresses, whose user info may hold a password. */
  boolean addresses();

  /** Whether a secret directory gives the file's path rather than its contents. */
  boolean file();

  /** The backends this setting means something to; empty when it means something to every backend. */
  Set<String> onlyFor();

  /** How a value is printed: secrets redacted, durations in Go form, addresses redacted. */
  default String display(Object value) {
    if (secret()) {
      return Redaction.REDACTED;
    }
    if (value instanceof Duration) {
      return ConfigValues.formatDuration((Duration) value);
    }
    if (value instanceof List) {
      return ((List<?>) value).stream().map(a -> Redaction.address(a.toString()))
          .collect(Collectors.joining(","));
    }
    if (value instanceof Retention) {
      return ((Retention) value).name() + " (" + ((Retention) value).configValue() + ")";
    }
    if (value instanceof Storage) {
      return ((Storage) value).name() + " (" + ((Storage) value).configValue() + ")";
    }
    return String.valueOf(value);
  }

  /** How a raw (unparsed) value is shown in an error: secrets redacted, addresses redacted, one line. */
  default String displayRaw(Object raw) {
    if (secret()) {
      return Redaction.REDACTED;
    }
    if (raw instanceof String && addresses()) {
      return ConfigValues.shorten(ConfigValues.splitList((String) raw).stream().map(Redaction::address)
          .collect(Collectors.joining(",")));
    }
    if (raw instanceof Duration) {
      return ConfigValues.formatDuration((Duration) raw);
    }
    return ConfigValues.shorten(String.valueOf(raw));
  }
}

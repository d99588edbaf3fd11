package dev.isb.config;

import dev.isb.OnFull;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.WriterOptions;
import dev.isb.spi.Checks;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value formats of Numaflow's configuration besides Go durations (read by {@link GoDurations}):
 * Kubernetes (and NATS) quantities, Go booleans, retention and storage as numbers or names, service
 * addresses; and how durations are printed back. Each parser throws
 * {@link BadValue} with the rule the value broke, phrased to follow "but it must …".
 */
final class ConfigValues {

  private ConfigValues() {}

  /** A value broke a rule; {@link #rule} completes "… was 'x' but it must …". */
  static final class BadValue extends Exception {
    private static final long serialVersionUID = 1L;

    BadValue(String rule) {
      super(rule, null, false, false);
    }

    String rule() {
      return getMessage();
    }
  }

  // ---- durations (parsed by GoDurations) -------------------------------------------------

  /** Prints a duration the way Go users write one: {@code 72h}, {@code 1h30m}, {@code 500ms}, {@code 0s}. */
  static String formatDuration(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.equals(WriterOptions.WAIT_FOREVER)) {
      return "forever";
    }
    var out = new StringBuilder(d.isNegative() ? "-" : "");
    Duration rest = d.abs();
    long hours = rest.toHours();
    if (hours > 0) {
      out.append(hours).append('h');
      rest = rest.minusHours(hours);
    }
    long minutes = rest.toMinutes();
    if (minutes > 0) {
      out.append(minutes).append('m');
      rest = rest.minusMinutes(minutes);
    }
    if (!rest.isZero()) {
      long nanos = rest.toNanos();
      if (nanos % 1_000_000_000L == 0) {
        out.append(nanos / 1_000_000_000L).append('s');
      } else if (out.length() == 0 || out.toString().equals("-")) {
        out.append(nanos % 1_000_000L == 0 ? nanos / 1_000_000L + "ms"
            : nanos % 1_000L == 0 ? nanos / 1_000L + "us" : nanos + "ns");
      } else {
        out.append(BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString()).append('s');
      }
    }
    return out.toString();
  }

  // ---- quantities ---------------------------------------------------------------------------

  private static final Pattern QUANTITY = Pattern.compile("([+-]?)(\\d+(?:\\.\\d+)?|\\.\\d+)([A-Za-z]*)");
  static final String SIZE_FORMAT = "a size in bytes such as 1048576, 512Mi, 20Gi, 500M or 1TB";
  private static final List<String> DECIMAL_SUFFIXES = List.of("k", "M", "G", "T", "P", "E");
  private static final Map<String, String> DECIMAL_ALIASES = Map.of("K", "k", "g", "G", "t", "T");
  private static final List<String> KUBERNETES_BINARY_SUFFIXES = List.of("Ki", "Mi", "Gi", "Ti", "Pi", "Ei");
  /** NATS sizes, any case; powers of 1024 as NATS reads them. */
  private static final List<String> NATS_SUFFIXES = List.of("kb", "mb", "gb", "tb", "pb");

  /**
   * Parses a size: a plain number, a Kubernetes quantity ({@code k M G T P E} are powers of 1000,
   * {@code Ki Mi Gi Ti Pi Ei} powers of 1024) or a NATS size ({@code KB MB GB TB}, any case, powers of
   * 1024, as in {@code max_file_store: 1TB}). A lower-case {@code m} is refused: Kubernetes reads it as
   * "milli", NATS as "mega".
   */
  static long quantity(String text) throws BadValue {
    Matcher m = QUANTITY.matcher(text.trim());
    if (!m.matches()) {
      throw new BadValue("be " + SIZE_FORMAT);
    }
    BigDecimal multiplier = multiplier(m.group(3));
    BigDecimal value = new BigDecimal(m.group(2)).multiply(multiplier);
    if (m.group(1).equals("-")) {
      value = value.negate();
    }
    try {
      return value.stripTrailingZeros().toBigIntegerExact().longValueExact();
    } catch (ArithmeticException e) {
      throw new BadValue("be a whole number of bytes that fits in 63 bits, such as 512Mi or 20Gi");
    }
  }

  private static BigDecimal multiplier(String suffix) throws BadValue {
    if (suffix.isEmpty()) {
      return BigDecimal.ONE;
    }
    if (suffix.equals("m")) {
      throw new BadValue("be " + SIZE_FORMAT + " (a lower-case m is milli in Kubernetes but mega in NATS: "
          + "write M or Mi)");
    }
    // The n-th suffix of each ladder is its base to the n.
    int decimal = DECIMAL_SUFFIXES.indexOf(DECIMAL_ALIASES.getOrDefault(suffix, suffix));
    if (decimal >= 0) {
      return BigDecimal.valueOf(1000).pow(decimal + 1);
    }
    int binary = KUBERNETES_BINARY_SUFFIXES.indexOf(suffix);
    if (binary < 0) {
      binary = NATS_SUFFIXES.indexOf(suffix.toLowerCase(Locale.ROOT));
    }
    if (binary < 0) {
      throw new BadValue("be " + SIZE_FORMAT);
    }
    return BigDecimal.valueOf(1024).pow(binary + 1);
  }

  // ---- numbers, booleans, enums -------------------------------------------------------------

  private static final Pattern WHOLE = Pattern.compile("[+-]?\\d+");

  /** A whole number, as written in YAML or an environment variable. */
  static long whole(String text) throws BadValue {
    String s = text.trim();
    if (!WHOLE.matcher(s).matches()) {
      throw new BadValue("be a whole number");
    }
    try {
      return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
    } catch (NumberFormatException e) {
      throw new BadValue("be a whole number that fits in 63 bits");
    }
  }

  /** Go's {@code strconv.ParseBool} plus YAML 1.1's yes/no/on/off, any case. */
  static boolean bool(String text) throws BadValue {
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true": case "t": case "1": case "yes": case "y": case "on":
        return true;
      case "false": case "f": case "0": case "no": case "n": case "off":
        return false;
      default:
        throw new BadValue("be true or false");
    }
  }

  /** 0/1/2 or Limits/Interest/WorkQueue, any case; {@code work_queue}, {@code workQueuePolicy} too. */
  static Retention retention(String text) throws BadValue {
    String s = text.trim().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    s = s.endsWith("policy") ? s.substring(0, s.length() - "policy".length()) : s;
    return byNumberOrName(s, Retention.values(), Retention::configValue,
        "be 0 (Limits), 1 (Interest) or 2 (WorkQueue)");
  }

  /** 0/1 or File/Memory, any case. */
  static Storage storage(String text) throws BadValue {
    return byNumberOrName(text.trim().toLowerCase(Locale.ROOT), Storage.values(), Storage::configValue,
        "be 0 (File) or 1 (Memory)");
  }

  /**
   * The constant whose config number, or whose name in lower case without underscores, is {@code s};
   * the numbers are the enum's own, so they are written down once.
   */
  private static <E extends Enum<E>> E byNumberOrName(String s, E[] constants, ToIntFunction<E> number,
      String rule) throws BadValue {
    for (E e : constants) {
      if (s.equals(Integer.toString(number.applyAsInt(e)))
          || s.equals(e.name().replace("_", "").toLowerCase(Locale.ROOT))) {
        return e;
      }
    }
    throw new BadValue(rule);
  }

  /** Numaflow's edge {@code onFull}: retryUntilSuccess or discardLatest, any case. */
  static OnFull onFull(String text) throws BadValue {
    switch (text.trim().toLowerCase(Locale.ROOT).replace("_", "")) {
      case "retryuntilsuccess":
        return OnFull.RETRY_UNTIL_SUCCESS;
      case "discardlatest":
        return OnFull.DISCARD_LATEST;
      default:
        throw new BadValue("be retryUntilSuccess or discardLatest");
    }
  }

  // ---- addresses ----------------------------------------------------------------------------

  /** Splits a comma-separated address list, trimming each and dropping empty ones. */
  static List<String> splitList(String text) {
    var out = new ArrayList<String>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    return out;
  }

  static final String NATS_URL_FORMAT = "be a comma-separated list of NATS addresses such as "
      + "nats://host:4222 or tls://host:4222";
  static final String REDIS_URL_FORMAT = "be a comma-separated list of Redis addresses such as "
      + "host:6379, redis://host:6379 or rediss://host:6380";

  /** Checks one NATS address: {@code [nats|tls|ws|wss]://host[:port]} or {@code host[:port]}. */
  static void natsAddress(String address) throws BadValue {
    address(address, "nats", List.of("nats", "tls", "ws", "wss"), NATS_URL_FORMAT, false);
  }

  /** Checks one Redis address: {@code host:port} or {@code redis[s]://[user[:password]@]host[:port][/db]}. */
  static void redisAddress(String address) throws BadValue {
    address(address, "redis", List.of("redis", "rediss"), REDIS_URL_FORMAT, true);
  }

  private static void address(String address, String defaultScheme, List<String> schemes, String rule,
      boolean databasePath) throws BadValue {
    int sep = address.indexOf("://");
    String scheme = sep < 0 ? defaultScheme : address.substring(0, sep).toLowerCase(Locale.ROOT);
    if (!schemes.contains(scheme)) {
      throw new BadValue(rule);
    }
    URI uri;
    try {
      uri = new URI(sep < 0 ? defaultScheme + "://" + address : address);
    } catch (URISyntaxException e) {
      throw new BadValue(rule);
    }
    boolean pathOk = uri.getRawPath() == null || uri.getRawPath().isEmpty()
        || (databasePath && uri.getRawPath().matches("/\\d*"));
    if (uri.getHost() == null || uri.getHost().isEmpty() || !pathOk || uri.getRawQuery() != null
        || uri.getRawFragment() != null || (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535))
        || (sep < 0 && uri.getRawUserInfo() != null)) {
      throw new BadValue(rule);
    }
  }

  /** Whether an address names TLS by its scheme ({@code tls://}, {@code wss://}, {@code rediss://}). */
  static boolean impliesTls(String address) {
    String a = address.toLowerCase(Locale.ROOT);
    return a.startsWith("tls://") || a.startsWith("wss://") || a.startsWith("rediss://");
  }

  /** The host of an address, with or without a scheme; null if it has none. */
  static String hostOf(String address) {
    try {
      return URI.create(address.contains("://") ? address : "nats://" + address).getHost();
    } catch (IllegalArgumentException notAUri) {
      return null;
    }
  }

  // ---- small helpers ------------------------------------------------------------------------

  /**
   * The UTF-8 text a base64 variable holds. White space, line breaks included, is dropped first:
   * {@code base64} tools wrap their output unless told not to.
   */
  static String base64Utf8(String value) throws BadValue {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(WHITE_SPACE.matcher(value).replaceAll(""));
    } catch (IllegalArgumentException e) {
      throw new BadValue("be base64 (standard alphabet, padded) of JSON");
    }
    try {
      return utf8(bytes);
    } catch (CharacterCodingException e) {
      throw new BadValue("be base64 of UTF-8 JSON");
    }
  }

  private static final Pattern WHITE_SPACE = Pattern.compile("\\s+");

  /** Strict UTF-8: malformed bytes are an error, not replacement characters. */
  static String utf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
  }

  /** Levenshtein distance, for "did you mean" hints. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** The closest of {@code known} to {@code key} (ignoring case) when it is a likely typo, else null. */
  static String closest(String key, Iterable<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(key.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return bestDistance <= Math.max(1, Math.min(3, key.length() / 3)) ? best : null;
  }

  /** Shortens a value for a message: one line, at most 80 characters. */
  static String shorten(String value) {
    String one = value.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    return one.length() <= 80 ? one : one.substring(0, 77) + "...";
  }
}

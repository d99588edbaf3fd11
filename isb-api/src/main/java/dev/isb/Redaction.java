package dev.isb;

import java.util.Locale;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * How this library keeps secrets out of what it prints (logs, errors, {@code toString}, the CLI): one
 * rule for every module. A secret's value is replaced by {@value #REDACTED}; in an address the
 * password of the user info is, and the user stays ({@code nats://vertex:<redacted>@isbsvc:4222}); a
 * user info without a password (a token: {@code nats://<redacted>@isbsvc:4222}) is replaced whole.
 *
 * <pre>{@code
 * Redaction.addresses("nats://u:pw@a:4222,nats://u:pw@b:4222");   // "nats://u:<redacted>@a:4222,nats://u:<redacted>@b:4222"
 * Redaction.isSecretName("sentinel.password");                      // true
 * }</pre>
 */
public final class Redaction {

  /** What a secret is printed as. */
  public static final String REDACTED = "<redacted>";

  private Redaction() {}

  /**
   * Whether a setting, property or key of this name holds a secret: its name mentions a password,
   * token, secret, seed, NKey, creds or private key, or ends in {@code key}; case is ignored. Also
   * used on a line of a configuration file that an error would quote.
   */
  public static boolean isSecretName(String name) {
    String n = Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT);
    return n.contains("password") || n.contains("token") || n.contains("secret") || n.contains("seed")
        || n.contains("nkey") || n.contains("creds") || n.contains("private") || n.endsWith("key");
  }

  /** One address with its credentials redacted, as the class describes; unchanged when it has none. */
  public static String address(String address) {
    int at = Objects.requireNonNull(address, "address").lastIndexOf('@');
    if (at < 0) {
      return address;
    }
    int scheme = address.indexOf("://");
    // Without a scheme ("u:p@h:4222", which the NATS and Redis clients accept) the user info starts the address.
    int start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
    while (start < at && address.charAt(start) == ' ') {
      start++;
    }
    String userInfo = address.substring(start, at);
    int colon = userInfo.indexOf(':');
    String shown = colon < 0 ? REDACTED : userInfo.substring(0, colon) + ":" + REDACTED;
    return address.substring(0, start) + shown + address.substring(at);
  }

  /** Each of comma-separated addresses redacted by {@link #address}, separators kept. */
  public static String addresses(String addresses) {
    if (Objects.requireNonNull(addresses, "addresses").indexOf('@') < 0) {
      return addresses;
    }
    var out = new StringJoiner(",");
    for (String address : addresses.split(",", -1)) {
      out.add(address(address));
    }
    return out.toString();
  }
}

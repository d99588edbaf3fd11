package dev.isb.jetstream;

import dev.isb.IsbOptions;
import dev.isb.testkit.NatsServerExtension;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole conformance kit as a NATS user who may publish only to buffer and watermark key
 * subjects and to the {@code $JS.API} / {@code $JS.ACK} / {@code $JS.FC} subjects the backend uses,
 * and subscribe only to its reply inboxes: the permission set of {@code docs/security.md}, with
 * {@code *} in place of the buffer and bucket names, because the kit's names are random and NATS
 * wildcards match whole tokens only. {@link JetStreamLeastPrivilegeTest} checks the same set with
 * exact buffer and bucket names.
 */
@DisplayName("JetStream conformance as a user with only the documented permissions")
class JetStreamLeastPrivilegeConformanceTest extends JetStreamConformanceBase {

  private static final String USER = "vertex";
  private static final String PASSWORD = "lp-" + Long.toHexString(System.nanoTime());

  /**
   * {@link JetStreamLeastPrivilegeTest#vertexPublish} and the admin subjects, for any buffer; the
   * {@link JetStreamLeastPrivilegeTest#watermarkPublish} subjects, for any bucket.
   */
  static final List<String> PUBLISH = List.of(
      "*",
      "$JS.API.STREAM.INFO.*",
      "$JS.API.CONSUMER.INFO.*.*",
      "$JS.API.CONSUMER.MSG.NEXT.*.*",
      "$JS.ACK.*.*.>",
      "$JS.API.STREAM.CREATE.*",
      "$JS.API.CONSUMER.CREATE.*.*.*",
      "$JS.API.STREAM.DELETE.*",
      "$KV.*.>",
      "$JS.API.CONSUMER.CREATE.*.*.$KV.>",
      "$JS.FC.*.>");

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single().withMaxPayload(MAX_PAYLOAD)
      .withUserPermissions(USER, PASSWORD, PUBLISH, List.of("_INBOX.>"));

  @Override
  NatsServerExtension nats() {
    return NATS;
  }

  @Override
  IsbOptions.Builder options() {
    return super.options().property("user", USER).property("password", PASSWORD);
  }
}

package dev.isb.cli;

import static dev.isb.cli.CliRun.args;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.WriteResult;
import dev.isb.cli.CliRun.Result;
import dev.isb.testkit.RedisServerExtension;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The tool against a real redis-server. */
@DisplayName("isb on Redis")
class CliRedisTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.standalone();

  private Result isb(String command, String... more) {
    return CliRun.run(Map.of(), args(List.of(command, "--backend", "redis", "--url", REDIS.uri()), List.of(more)));
  }

  @Test
  @DisplayName("info --bucket on Redis is a usage error that says Redis keeps no watermarks")
  void infoBucketRefused() {
    Result r = isb("info", "--bucket", "ns-pl-in-map");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("redis backend keeps no watermark buckets").contains("ns-pl-in-map_OT");
  }

  @Test
  @DisplayName("create, validate, info after writing, delete, validate again")
  void lifecycle() {
    String ns = "t" + UUID.randomUUID().toString().substring(0, 8);
    String buffer = ns + "-pl-v-0";
    String other = ns + "-pl-v-1";

    Result created = isb("create", "--namespace", ns, "--pipeline", "pl", "--vertex", "v", "--partitions", "2");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(created.out()).contains("created  buffer " + buffer, "created  buffer " + other, "on redis");
    assertThat(isb("validate", buffer, other).exitCode()).isZero();

    try (IsbClient client = IsbClient.open(IsbOptions.builder().backend("redis").url(REDIS.uri()).build());
        BufferWriter writer = client.writer(buffer)) {
      List<WriteResult> results = writer.write(IntStream.range(0, 4)
          .mapToObj(i -> Message.data(new MessageId("in", Integer.toString(i), 0), ("m" + i).getBytes(UTF_8)))
          .toList());
      assertThat(results).allMatch(r -> r instanceof WriteResult.Written);
    }
    Result info = isb("info", buffer, other);
    assertThat(info.exitCode()).as(info.toString()).isZero();
    assertThat(info.out().lines()).anyMatch(l -> l.matches(buffer + " +4 +0 +4 +0 +0\\.01% +ok"))
        .anyMatch(l -> l.matches(other + " +0 +0 +0 +0 +0\\.00% +ok"));

    Result deleted = isb("delete", "--yes", buffer, other);
    assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
    assertThat(deleted.out()).contains("deleted  buffer " + buffer, "deleted  buffer " + other);
    Result missing = isb("validate", buffer, other);
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.MISSING);
    assertThat(missing.out()).contains("missing  buffer " + buffer, "missing  buffer " + other);
    Result infoMissing = isb("info", buffer);
    assertThat(infoMissing.exitCode()).isEqualTo(ExitCodes.MISSING);
    assertThat(infoMissing.out()).contains("missing");
  }
}

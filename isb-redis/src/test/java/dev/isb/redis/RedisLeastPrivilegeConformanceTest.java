package dev.isb.redis;

import dev.isb.IsbOptions;
import dev.isb.testkit.RedisServerExtension;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole conformance kit as the minimal ACL user of {@code docs/redis.md}: only the keys of the
 * kit's buffers and buckets (all named {@code kit-…}, so {@code ~{kit-*}) and only the commands of
 * {@link RedisConnectionAclTest#COMMANDS}.
 */
@DisplayName("Redis conformance as an ACL user with only the documented keys and commands")
class RedisLeastPrivilegeConformanceTest extends RedisConformanceBase {

  private static final String USER = "vertex";
  private static final String PASSWORD = "lp-" + Long.toHexString(System.nanoTime());

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.standalone()
      .withAclUser(USER, PASSWORD, List.of("{kit-*"), RedisConnectionAclTest.COMMANDS);

  @Override
  RedisServerExtension redis() {
    return REDIS;
  }

  @Override
  IsbOptions.Builder options() {
    return super.options().property("user", USER).property("password", PASSWORD);
  }
}

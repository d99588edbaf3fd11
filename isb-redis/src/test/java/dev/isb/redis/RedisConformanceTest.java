package dev.isb.redis;

import dev.isb.testkit.RedisServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis backend passes the conformance kit against a real standalone redis-server. */
class RedisConformanceTest extends RedisConformanceBase {

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.standalone();

  @Override
  RedisServerExtension redis() {
    return REDIS;
  }
}

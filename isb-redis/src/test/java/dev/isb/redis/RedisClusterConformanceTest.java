package dev.isb.redis;

import dev.isb.testkit.RedisServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis backend passes the conformance kit against a 3-master redis cluster. */
class RedisClusterConformanceTest extends RedisConformanceBase {

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.cluster(3, 0);

  @Override
  RedisServerExtension redis() {
    return REDIS;
  }
}

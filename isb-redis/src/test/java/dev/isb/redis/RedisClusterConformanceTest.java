package dev.isb.redis;

import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.testkit.BackendFeatures;
import dev.isb.testkit.IsbConformanceKit;
import dev.isb.testkit.RedisServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis backend passes the conformance kit against a 3-master redis cluster. */
class RedisClusterConformanceTest extends IsbConformanceKit {

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.cluster(3, 0);

  @Override
  protected IsbClient newClient() {
    return IsbClient.open(IsbOptions.builder().backend("redis").url(REDIS.uris()).build());
  }

  @Override
  protected BackendFeatures features() {
    return BackendFeatures.defaults().withKeepsWatermarks(false);
  }
}

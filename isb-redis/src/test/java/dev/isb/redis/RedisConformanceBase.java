package dev.isb.redis;

import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.testkit.BackendFeatures;
import dev.isb.testkit.IsbConformanceKit;
import dev.isb.testkit.RedisServerExtension;

/**
 * The conformance kit on the test class's Redis server: how the client under test opens and what the
 * Redis backend can do, the same on every kind of server.
 */
abstract class RedisConformanceBase extends IsbConformanceKit {

  /** The test class's server, a static {@code @RegisterExtension} field there. */
  abstract RedisServerExtension redis();

  /** The options of the client under test: the server's addresses, and what the test class adds. */
  IsbOptions.Builder options() {
    return IsbOptions.builder().backend("redis").url(redis().uris());
  }

  @Override
  protected final IsbClient newClient() {
    return IsbClient.open(options().build());
  }

  @Override
  protected final BackendFeatures features() {
    return BackendFeatures.defaults().withKeepsWatermarks(false);
  }
}

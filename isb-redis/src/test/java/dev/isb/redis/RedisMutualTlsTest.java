package dev.isb.redis;

import dev.isb.IsbOptions;
import dev.isb.servers.ClientTls;
import dev.isb.testkit.MutualTlsConformanceKit;
import dev.isb.testkit.RedisServerExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Redis over mutual TLS")
class RedisMutualTlsTest extends MutualTlsConformanceKit {

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.standalone().withMutualTls();

  @Override
  protected IsbOptions.Builder server() {
    return IsbOptions.builder().backend("redis").url(REDIS.uri());
  }

  @Override
  protected ClientTls tls() {
    return REDIS;
  }

  @Override
  protected String refusal() {
    return "cannot connect to Redis";
  }
}

package dev.isb.testkit;

import static dev.isb.testkit.RedisServerExtensionTest.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis extension's sentinel variant: a master, two replicas, three sentinels, over RESP. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the fail-over last: it changes the master
class RedisSentinelTest {

  @RegisterExtension static final RedisServerExtension SENTINEL = RedisServerExtension.sentinel();

  @Test
  @Order(1)
  @DisplayName("every sentinel reports the master, which has two linked replicas")
  void sentinelsReportTheMaster(RedisSentinel setup) throws IOException {
    assertThat(setup).isSameAs(SENTINEL.sentinelSetup());
    assertThat(SENTINEL.masterName()).isEqualTo("mymaster").isEqualTo(setup.masterName());
    assertThat(SENTINEL.uris()).isEqualTo(setup.sentinelUris());
    assertThat(setup.sentinelUris().split(","))
        .hasSize(3)
        .allMatch(u -> u.startsWith("redis://127.0.0.1:"));
    RedisServer master = setup.master();

    for (RedisServer sentinel : setup.sentinels()) {
      assertThat(call(sentinel.port(), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"))
          .isEqualTo(List.of("127.0.0.1", Integer.toString(master.port())));
    }
    assertThat(((List<?>) call(master.port(), "ROLE")).get(0)).isEqualTo("master");
    assertThat(setup.replicas()).hasSize(2).doesNotContain(master);
    for (RedisServer replica : setup.replicas()) {
      assertThat((String) call(replica.port(), "INFO", "replication"))
          .contains("role:slave", "master_port:" + master.port(), "master_link_status:up");
    }
    assertThatThrownBy(SENTINEL::uri)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("uris()");
  }

  @Test
  @Order(2)
  @DisplayName(
      "triggerFailover makes a replica the master, with the data; the old master follows it")
  void triggerFailoverChangesTheMaster(RedisSentinel setup) throws IOException {
    RedisServer old = setup.master();
    assertThat(call(old.port(), "SET", "isb-sentinel-key", "kept")).isEqualTo("OK");
    assertThat(call(old.port(), "WAIT", "2", "5000")).isEqualTo(2L);

    RedisServer promoted = setup.triggerFailover();

    assertThat(promoted).isNotSameAs(old).isIn(setup.dataNodes());
    assertThat(setup.master()).isSameAs(promoted);
    for (RedisServer sentinel : setup.sentinels()) {
      assertThat(call(sentinel.port(), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"))
          .isEqualTo(List.of("127.0.0.1", Integer.toString(promoted.port())));
    }
    assertThat(((List<?>) call(promoted.port(), "ROLE")).get(0)).isEqualTo("master");
    assertThat(call(promoted.port(), "GET", "isb-sentinel-key")).isEqualTo("kept");
    assertThat(setup.replicas()).contains(old).doesNotContain(promoted);

    setup.awaitReplicasLinked(Duration.ofSeconds(30)); // the sentinels demote the old master
    assertThat((String) call(old.port(), "INFO", "replication"))
        .contains("role:slave", "master_port:" + promoted.port(), "master_link_status:up");
  }
}

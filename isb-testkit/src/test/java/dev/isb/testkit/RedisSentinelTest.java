package dev.isb.testkit;

import static dev.isb.testkit.RedisServerExtensionTest.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.servers.RedisSentinel;
import dev.isb.servers.RedisServer;
import dev.isb.servers.RedisWire;
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
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the fail-overs last: they change the master
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
    // WAIT answers for the writes of its own connection only: SET and WAIT share one.
    try (RedisWire wire = RedisServerExtensionTest.connect(old.port())) {
      assertThat(wire.call("SET", "isb-sentinel-key", "kept")).isEqualTo("OK");
      assertThat(wire.call("WAIT", "2", "5000")).isEqualTo(2L);
    }

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
    assertNoSentinelTookForDown(setup, old, promoted);
  }

  @Test
  @Order(3)
  @DisplayName(
      "a master killed: a replica takes over with the data, the old master comes back as its"
          + " replica, and no sentinel ever takes the new master for down")
  void killedMasterIsReplaced(RedisSentinel setup) throws IOException {
    RedisServer old = setup.master();
    try (RedisWire wire = RedisServerExtensionTest.connect(old.port())) {
      assertThat(wire.call("SET", "isb-killed-key", "kept")).isEqualTo("OK");
      assertThat(wire.call("WAIT", "2", "5000")).isEqualTo(2L);
    }

    old.kill();
    RedisServer promoted = setup.awaitMasterOtherThan(old, Duration.ofSeconds(30));
    old.restart(); // empty: it has no persistence, and the sentinels make it a replica

    assertThat(call(promoted.port(), "GET", "isb-killed-key")).isEqualTo("kept");
    setup.awaitReplicasLinked(Duration.ofSeconds(40));
    assertThat(call(old.port(), "GET", "isb-killed-key")).isEqualTo("kept");
    assertNoSentinelTookForDown(setup, old, promoted);
  }

  /**
   * Seconds after the switch, no sentinel took the new master for down. A second, spurious
   * fail-over begins so: with down-after-milliseconds equal to the sentinels' 1 s ping period, a
   * sentinel whose link to a killed master was retrying every second could reconnect to the new
   * master only a second after switching to it, and declare it down at that very tick.
   */
  private static void assertNoSentinelTookForDown(
      RedisSentinel setup, RedisServer old, RedisServer promoted) {
    for (RedisServer sentinel : setup.sentinels()) {
      assertThat(sentinel.logFile())
          .content()
          .as("%s's log", sentinel.name())
          .contains(
              "+switch-master mymaster 127.0.0.1 " + old.port() + " 127.0.0.1 " + promoted.port())
          .doesNotContain("+sdown master mymaster 127.0.0.1 " + promoted.port());
    }
  }
}

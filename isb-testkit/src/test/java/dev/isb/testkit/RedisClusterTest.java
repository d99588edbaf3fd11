package dev.isb.testkit;

import static dev.isb.testkit.RedisServerExtensionTest.call;
import static dev.isb.testkit.RedisServerExtensionTest.errorCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.servers.RedisCluster;
import dev.isb.servers.RedisServer;
import dev.isb.servers.RedisWire;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis extension's cluster variant: 3 masters with a replica each, spoken to over RESP. */
class RedisClusterTest {

  @RegisterExtension static final RedisServerExtension CLUSTER = RedisServerExtension.cluster(3, 1);

  @Test
  @DisplayName(
      "every node reports cluster_state:ok with all 16384 slots, 3 masters with a replica each")
  void clusterIsOk(RedisCluster cluster) throws IOException {
    assertThat(cluster).isSameAs(CLUSTER.cluster());
    assertThat(cluster.size()).isEqualTo(6);
    assertThat(CLUSTER.uris().split(","))
        .hasSize(6)
        .allMatch(u -> u.startsWith("redis://127.0.0.1:"));
    for (RedisServer node : cluster.nodes()) {
      String info = (String) call(node.port(), "CLUSTER", "INFO");
      assertThat(info).contains("cluster_state:ok", "cluster_slots_assigned:16384");
      assertThat(node.port()).isNotEqualTo(6379);
    }
    List<RedisServer> masters = cluster.masters();
    assertThat(masters).hasSize(3);
    for (RedisServer master : masters) {
      List<RedisServer> replicas = cluster.replicasOf(master);
      assertThat(replicas).hasSize(1).doesNotContainAnyElementsOf(masters);
      assertThat(((List<?>) call(replicas.get(0).port(), "ROLE")).get(0)).isEqualTo("slave");
    }
    assertThatThrownBy(CLUSTER::uri)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("uris()");
    assertThatThrownBy(CLUSTER::server).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("a key is served by exactly one master; the others answer MOVED to it")
  void keysAreRoutedBySlot(RedisCluster cluster) throws IOException {
    String key = "isb-routed-key";
    long slot = (Long) call(cluster.node(0).port(), "CLUSTER", "KEYSLOT", key);
    List<RedisServer> owners = new ArrayList<>();
    List<Object> refusals = new ArrayList<>();
    for (RedisServer master : cluster.masters()) {
      Object reply = call(master.port(), "SET", key, "v");
      if ("OK".equals(reply)) {
        owners.add(master);
      } else {
        refusals.add(reply);
      }
    }

    assertThat(owners).hasSize(1);
    assertThat(refusals)
        .hasSize(2)
        .allSatisfy(r -> assertThat(errorCode(r)).isEqualTo("MOVED"))
        .allSatisfy(
            r ->
                assertThat(r.toString())
                    .isEqualTo("-MOVED " + slot + " 127.0.0.1:" + owners.get(0).port()));
  }

  @Test
  @DisplayName(
      "killing a master promotes its replica, which keeps the data; the old master rejoins")
  void failoverPromotesTheReplica(RedisCluster cluster) throws IOException {
    RedisServer master = cluster.masters().get(0);
    RedisServer replica = cluster.replicasOf(master).get(0);
    String key = keyServedBy(master);
    // WAIT answers for the writes of its own connection only (see waitCountsOnlyItsOwnConnection).
    try (RedisWire wire = RedisServerExtensionTest.connect(master.port())) {
      assertThat(wire.call("SET", key, "before")).isEqualTo("OK");
      assertThat(wire.call("WAIT", "1", "5000")).isEqualTo(1L);
    }

    RedisServer promoted = cluster.failover(master, Duration.ofSeconds(30));

    assertThat(promoted).isSameAs(replica);
    assertThat(master.isRunning()).isFalse();
    assertThat(((List<?>) call(promoted.port(), "ROLE")).get(0)).isEqualTo("master");
    assertThat(cluster.masters()).contains(promoted).doesNotContain(master).hasSize(3);
    assertThat(call(promoted.port(), "GET", key)).isEqualTo("before");
    assertThat((String) call(promoted.port(), "CLUSTER", "INFO")).contains("cluster_state:ok");

    master.restart();
    cluster.awaitOk(Duration.ofSeconds(20));
    assertThat(cluster.replicasOf(promoted)).containsExactly(master);
    assertThat(((List<?>) call(master.port(), "ROLE")).get(0)).isEqualTo("slave");
  }

  @Test
  @DisplayName(
      "WAIT waits only for the writes of its own connection: asked on another one, it counts a"
          + " frozen replica that never received the write")
  void waitCountsOnlyItsOwnConnection(RedisCluster cluster) throws IOException {
    RedisServer master = cluster.masters().get(0);
    RedisServer replica = cluster.replicasOf(master).get(0);
    String key = keyServedBy(master);
    replica.pause();
    try (RedisWire writer = RedisServerExtensionTest.connect(master.port());
        RedisWire other = RedisServerExtensionTest.connect(master.port())) {
      assertThat(writer.call("SET", key, "unreplicated")).isEqualTo("OK");
      assertThat(other.call("WAIT", "1", "100")).as("WAIT on a connection that wrote nothing")
          .isEqualTo(1L);
      assertThat(writer.call("WAIT", "1", "100")).as("WAIT on the connection that wrote")
          .isEqualTo(0L);
    } finally {
      replica.resume();
    }
  }

  /** A key in a slot that {@code master} serves: it answers EXISTS for it instead of MOVED. */
  private static String keyServedBy(RedisServer master) throws IOException {
    for (int i = 0; ; i++) {
      String key = "isb-failover-" + i;
      if (call(master.port(), "EXISTS", key) instanceof Long) {
        return key;
      }
    }
  }
}

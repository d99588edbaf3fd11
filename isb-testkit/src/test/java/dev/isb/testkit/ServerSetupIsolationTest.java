package dev.isb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.isb.servers.NatsCluster;
import dev.isb.servers.NatsServer;
import dev.isb.servers.RedisCluster;
import dev.isb.servers.RedisSentinel;
import dev.isb.servers.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * What the server extensions do around a test that breaks its setup: the failure carries the fault
 * journal and the servers' log tails and a copy of their files is kept, and the next test of the
 * class starts on a healthy setup. Each scenario below is a class of two ordered tests, run here
 * through the JUnit engine: the first faults the setup and fails on purpose, the second checks what
 * it was given. (Surefire does not run nested classes itself, and the property guards them anyway.)
 */
class ServerSetupIsolationTest {

  private static final String SCENARIO = "isb.testkit.scenario";

  @TempDir Path keep;
  private final Map<String, String> saved = new HashMap<>();

  @BeforeEach
  void runScenarios() {
    for (String property : List.of(SCENARIO, ServerDiagnostics.KEEP_PROPERTY)) {
      saved.put(property, System.getProperty(property));
    }
    System.setProperty(SCENARIO, "true");
    System.setProperty(ServerDiagnostics.KEEP_PROPERTY, keep.toString());
  }

  @AfterEach
  void restoreProperties() {
    saved.forEach(
        (property, value) -> {
          if (value == null) {
            System.clearProperty(property);
          } else {
            System.setProperty(property, value);
          }
        });
  }

  @Test
  @DisplayName(
      "a standalone server killed by a failed test: the failure shows the kill in the journal and"
          + " the log's tail, the files are kept, and the next test finds it restarted on its port")
  void standalone() {
    Outcome outcome = run(StandaloneScenario.class, "findsItRunning");

    assertThat(outcome.evidence())
        .contains("StandaloneScenario.killsAndFails", "before redis: kill -9", "after redis: kill -9")
        .contains("redis (", "not running")
        .contains("--- redis log, last 25 lines ---", "Ready to accept connections");
    Path kept = keep.resolve("StandaloneScenario.killsAndFails");
    assertThat(outcome.evidence()).contains(kept.toAbsolutePath().toString());
    assertThat(kept.resolve("journal.txt")).content().contains("kill -9", "test failed");
    assertThat(kept.resolve("redis.log")).exists();
    assertThat(kept.resolve("redis.conf")).exists();
  }

  @Test
  @DisplayName(
      "a cluster left with a master killed and a node paused: the next test gets a new, healthy"
          + " cluster on other ports")
  void cluster() {
    assertThat(run(ClusterScenario.class, "findsItHealthy").evidence())
        .contains("kill -9", "pause (SIGSTOP)", "CLUSTER NODES", "--- cluster-0 log");
  }

  @Test
  @DisplayName(
      "a sentinel setup left with its master killed: the next test gets a new, healthy setup")
  void sentinel() {
    assertThat(run(SentinelScenario.class, "findsItHealthy").evidence())
        .contains("kill -9", "SENTINEL MASTER");
  }

  @Test
  @DisplayName(
      "a JetStream cluster left with a node killed: the failure shows each node's meta leader, and"
          + " the next test gets a new cluster with every node running")
  void natsCluster() {
    assertThat(run(NatsClusterScenario.class, "findsItHealthy").evidence())
        .contains("kill -9", "meta_cluster");
  }

  /**
   * What a scenario showed: the evidence attached to its first test's failure; its second test
   * passed.
   */
  private record Outcome(String evidence) {}

  /**
   * Runs a scenario class: its first test, {@code killsAndFails}, must fail on purpose with one
   * piece of evidence attached, its second must pass.
   */
  private static Outcome run(Class<?> scenario, String second) {
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(scenario)).execute();
    Map<String, TestExecutionResult> byMethod = new LinkedHashMap<>();
    for (Event event : results.testEvents().finished().list()) {
      String method =
          event.getTestDescriptor()
              .getSource()
              .map(source -> ((MethodSource) source).getMethodName())
              .orElseThrow();
      byMethod.put(method, event.getRequiredPayload(TestExecutionResult.class));
    }
    assertThat(byMethod).as("tests of %s that ran", scenario.getSimpleName())
        .containsOnlyKeys("killsAndFails", second);
    assertThat(byMethod.get(second).getStatus())
        .as("%s: %s", second, byMethod.get(second))
        .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    Throwable failure = byMethod.get("killsAndFails").getThrowable().orElseThrow();
    assertThat(failure).hasMessageContaining("on purpose");
    assertThat(failure.getSuppressed()).hasSize(1);
    return new Outcome(failure.getSuppressed()[0].getMessage());
  }

  /** Fails on purpose after a fault, so that the extension diagnoses it. */
  private static void failOnPurpose(String fault) {
    throw new AssertionError("failed on purpose after " + fault);
  }

  @EnabledIfSystemProperty(named = SCENARIO, matches = "true")
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class StandaloneScenario {
    @RegisterExtension static final RedisServerExtension REDIS = RedisServerExtension.standalone();
    static int port;

    @Test
    @Order(1)
    void killsAndFails(RedisServer server) {
      port = server.port();
      server.kill();
      failOnPurpose("killing the server");
    }

    @Test
    @Order(2)
    void findsItRunning(RedisServer server) throws Exception {
      assertThat(server.isRunning()).isTrue();
      assertThat(server.port()).isEqualTo(port);
      assertThat(server.command("PING")).isEqualTo("PONG");
      assertThat(Files.readString(server.dir().resolve("journal.txt")))
          .contains("restarted before findsItRunning(");
    }
  }

  @EnabledIfSystemProperty(named = SCENARIO, matches = "true")
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class ClusterScenario {
    @RegisterExtension
    static final RedisServerExtension REDIS = RedisServerExtension.cluster(3, 1);

    static String uris;

    @Test
    @Order(1)
    void killsAndFails(RedisCluster cluster) {
      uris = cluster.uris();
      cluster.masters().get(0).kill();
      cluster.masters().get(1).pause();
      failOnPurpose("killing a master and pausing another");
    }

    @Test
    @Order(2)
    void findsItHealthy(RedisCluster cluster) {
      assertThat(cluster.uris()).isNotEqualTo(uris);
      assertThat(cluster.nodes()).allMatch(RedisServer::isResponsive);
      assertThat(cluster.isHealthy(Duration.ZERO)).isTrue();
      assertThat(cluster.masters()).hasSize(3);
    }
  }

  @EnabledIfSystemProperty(named = SCENARIO, matches = "true")
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class SentinelScenario {
    @RegisterExtension static final RedisServerExtension REDIS = RedisServerExtension.sentinel();

    @Test
    @Order(1)
    void killsAndFails(RedisSentinel setup) {
      setup.master().kill();
      failOnPurpose("killing the master");
    }

    @Test
    @Order(2)
    void findsItHealthy(RedisSentinel setup) {
      assertThat(setup.processes()).allMatch(RedisServer::isResponsive);
      assertThat(setup.isHealthy(Duration.ZERO)).isTrue();
      assertThat(setup.master()).isSameAs(setup.dataNodes().get(0));
    }
  }

  @EnabledIfSystemProperty(named = SCENARIO, matches = "true")
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class NatsClusterScenario {
    @RegisterExtension static final NatsServerExtension NATS = NatsServerExtension.cluster(3);

    @Test
    @Order(1)
    void killsAndFails(NatsCluster cluster) {
      cluster.node(1).kill();
      failOnPurpose("killing a node");
    }

    @Test
    @Order(2)
    void findsItHealthy(NatsCluster cluster) {
      assertThat(cluster.nodes()).allMatch(NatsServer::isRunning);
      assertThat(cluster.metaLeader()).isPresent();
    }
  }
}

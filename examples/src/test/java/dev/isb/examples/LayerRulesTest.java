package dev.isb.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The layer rules of docs/architecture.md, checked on the production classes of every module (this
 * module has them all on its test class path): the API never sees a backend, a backend sees only the
 * API, its SPI and the wire format, the vertex runtime sees no backend, and nothing but tests sees the
 * test kit.
 */
class LayerRulesTest {

  private static final String[] API = {"dev.isb", "dev.isb.spi..", "dev.isb.wire..", "dev.isb.config..",
      "dev.isb.watermark.."};
  private static final String[] BACKENDS = {"dev.isb.jetstream..", "dev.isb.redis..", "dev.isb.memory.."};
  private static final String[] ABOVE_THE_API = {"dev.isb.jetstream..", "dev.isb.redis..", "dev.isb.memory..",
      "dev.isb.vertex..", "dev.isb.cli..", "dev.isb.testkit..", "dev.isb.servers..", "dev.isb.examples..",
      "dev.isb.benchmarks.."};

  static final ArchRule API_SEES_NO_BACKEND = noClasses().that().resideInAnyPackage(API)
      .should().dependOnClassesThat().resideInAnyPackage(ABOVE_THE_API)
      .because("isb-api is what every module builds on: it names no backend, runtime or tool");

  static final List<ArchRule> BACKEND_SEES_ONLY_API_AND_SPI = List.of(
      backendSeesNoOther("dev.isb.jetstream.."), backendSeesNoOther("dev.isb.redis.."),
      backendSeesNoOther("dev.isb.memory.."));

  static final ArchRule BACKEND_SKIPS_CONFIGURATION = noClasses().that().resideInAnyPackage(BACKENDS)
      .should().dependOnClassesThat().resideInAPackage("dev.isb.config..")
      .because("a backend is handed IsbOptions; reading a pod's configuration is the caller's business");

  static final ArchRule RUNTIME_SEES_NO_BACKEND = noClasses().that().resideInAPackage("dev.isb.vertex..")
      .should().dependOnClassesThat().resideInAnyPackage(BACKENDS)
      .orShould().dependOnClassesThat().resideInAnyPackage("dev.isb.servers..", "dev.isb.testkit..",
          "dev.isb.cli..", "io.nats..", "io.lettuce..")
      .because("the forwarder runs on any backend through IsbClient");

  static final ArchRule ONLY_TESTS_SEE_THE_TEST_KIT = noClasses().that().resideOutsideOfPackage("dev.isb.testkit..")
      .should().dependOnClassesThat().resideInAPackage("dev.isb.testkit..")
      .because("the test kit brings JUnit and AssertJ; production code uses isb-memory or isb-servers instead");

  private static JavaClasses production;

  @BeforeAll
  static void importProductionClasses() {
    production = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.isb");
  }

  private static ArchRule backendSeesNoOther(String backend) {
    String[] others = Arrays.stream(ABOVE_THE_API).filter(p -> !p.equals(backend)).toArray(String[]::new);
    return noClasses().that().resideInAPackage(backend)
        .should().dependOnClassesThat().resideInAnyPackage(others)
        .because("a backend sees only the API, its SPI and the wire format");
  }

  @Test
  @DisplayName("every module's production classes were imported, and no test class")
  void importedEveryModule() {
    assertThat(production.stream().map(c -> c.getPackageName()).distinct())
        .contains("dev.isb", "dev.isb.spi", "dev.isb.wire", "dev.isb.config", "dev.isb.watermark",
            "dev.isb.jetstream", "dev.isb.redis", "dev.isb.memory", "dev.isb.vertex", "dev.isb.cli",
            "dev.isb.testkit", "dev.isb.servers", "dev.isb.examples");
    assertThat(production.contain(LayerRulesTest.class)).isFalse();
  }

  @Test
  @DisplayName("isb-api depends on no backend, runtime, tool or test kit")
  void apiSeesNoBackend() {
    API_SEES_NO_BACKEND.check(production);
  }

  @Test
  @DisplayName("each backend depends on the API, the SPI and the wire format, not on another module")
  void backendsSeeOnlyApiAndSpi() {
    BACKEND_SEES_ONLY_API_AND_SPI.forEach(rule -> rule.check(production));
    BACKEND_SKIPS_CONFIGURATION.check(production);
  }

  @Test
  @DisplayName("the vertex runtime depends on no backend, backend client, server fixture or test kit")
  void runtimeSeesNoBackend() {
    RUNTIME_SEES_NO_BACKEND.check(production);
  }

  @Test
  @DisplayName("nothing but tests depends on the test kit")
  void onlyTestsSeeTheTestKit() {
    ONLY_TESTS_SEE_THE_TEST_KIT.check(production);
  }

  @Test
  @DisplayName("the rules do catch a violation: a test class of this module depends on the test kit")
  void rulesCatchAViolation() {
    JavaClasses tests = new ClassFileImporter().importPackages("dev.isb.examples");
    assertThat(tests.contain(DemoPipelineTest.class)).isTrue();

    assertThatThrownBy(() -> ONLY_TESTS_SEE_THE_TEST_KIT.check(tests))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("dev.isb.testkit");
  }
}

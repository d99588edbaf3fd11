package dev.isb;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Keeps isb-api free of backend clients and test libraries, so a vertex pulls in only what it deploys. */
class ArchitectureTest {

  private static final ArchRule API_STAYS_BACKEND_FREE = noClasses()
      .that().resideInAnyPackage(
          "dev.isb", "dev.isb.spi..", "dev.isb.wire..", "dev.isb.config..", "dev.isb.watermark..")
      .should().dependOnClassesThat().resideInAnyPackage(
          "io.nats..", "io.lettuce..", "io.netty..", "org.testcontainers..",
          "org.junit..", "org.assertj..", "com.tngtech..")
      .because("isb-api must not depend on jnats, lettuce, testcontainers or test libraries");

  @Test
  @DisplayName("isb-api's production classes depend on no backend client, test container or test library")
  void apiIsFreeOfBackendAndTestDependencies() {
    JavaClasses production = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.isb");
    assertThat(production.contain(IsbClient.class)).as("the API classes were imported").isTrue();
    assertThat(production.contain(dev.isb.spi.AbstractBufferWriter.class)).as("and those of its sub-packages").isTrue();
    assertThat(production.contain(dev.isb.watermark.WatermarkFetcher.class)).as("watermarks too").isTrue();
    assertThat(production.contain(ArchitectureTest.class)).as("test classes are left out").isFalse();

    API_STAYS_BACKEND_FREE.check(production);
  }

  @Test
  @DisplayName("the rule does catch a class that depends on a test library")
  void ruleCatchesAViolation() {
    JavaClasses tests = new ClassFileImporter().importClasses(ArchitectureTest.class);

    assertThatThrownBy(() -> API_STAYS_BACKEND_FREE.check(tests))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("org.junit");
  }
}

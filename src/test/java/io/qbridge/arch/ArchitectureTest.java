package io.qbridge.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The package structure as a test (docs/architecture.md draws it): dependencies point one way,
 * from the HTTP front through the API modules to the chat flow and the core, and no API module
 * reaches into another. (Plain JUnit tests over ArchUnit's core: surefire runs them like any other.)
 */
class ArchitectureTest {

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.qbridge");

  @Test
  void noPackageCycles() {
    slices().matching("io.qbridge.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void apiModulesAreIndependent() {
    slices().matching("io.qbridge.api.(*)..").should().notDependOnEachOther().check(MAIN);
  }

  @Test
  void dependenciesPointOneWay() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
      .layer("Boot").definedBy("io.qbridge")
      .layer("Http").definedBy("io.qbridge.http..")
      .layer("Api").definedBy("io.qbridge.api..")
      .layer("Chat").definedBy("io.qbridge.chat..")
      .layer("Answer").definedBy("io.qbridge.answer..")
      .layer("Web").definedBy("io.qbridge.web..")
      .layer("Relay").definedBy("io.qbridge.relay..")
      .layer("Audit").definedBy("io.qbridge.audit..")
      .whereLayer("Boot").mayNotBeAccessedByAnyLayer()
      .whereLayer("Http").mayOnlyBeAccessedByLayers("Boot")
      // Boot is the composition root: it may deploy any module's verticle
      .whereLayer("Api").mayOnlyBeAccessedByLayers("Http", "Boot")
      .whereLayer("Chat").mayOnlyBeAccessedByLayers("Api", "Http")
      .whereLayer("Answer").mayOnlyBeAccessedByLayers("Api")
      .whereLayer("Web").mayOnlyBeAccessedByLayers("Api", "Http", "Chat")
      .whereLayer("Relay").mayOnlyBeAccessedByLayers("Api", "Http", "Chat", "Answer")
      // the audit log is written and read by the admin surface only; Boot deploys its verticle
      .whereLayer("Audit").mayOnlyBeAccessedByLayers("Http", "Boot")
      .check(MAIN);
  }

  /** The audit log stands beside the pool: it owns its own table and knows nothing of accounts, HTTP or chat. */
  @Test
  void auditLogIsALeafOwningItsTable() {
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses().that().resideInAPackage("io.qbridge.audit..")
        .should().dependOnClassesThat().resideInAnyPackage("io.qbridge.account..", "io.qbridge.http..",
            "io.qbridge.api..", "io.qbridge.chat..", "io.qbridge.upstream..", "io.qbridge.web..")
        .check(MAIN);
  }

  /** The database foundation (pool, dialect, migrations) is a leaf every stored component builds on. */
  @Test
  void storeDependsOnNoOtherQbridgePackage() {
    classes().that().resideInAPackage("io.qbridge.store..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("io.qbridge.store..", "java..", "io.vertx..", "org.slf4j..")
        .check(MAIN);
  }
}

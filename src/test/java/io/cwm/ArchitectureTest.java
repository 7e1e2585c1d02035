package io.cwm;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package structure as docs/architecture.md draws it, checked on the compiled classes: no
 * package imports one that (transitively) imports it, the leaf packages import none of ours, and
 * only the composition root (app) knows every area.
 */
@AnalyzeClasses(packages = "io.cwm", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /** Every package is its own slice (io.cwm.module and io.cwm.module.kafka are two). */
  @ArchTest
  static final ArchRule noPackageCycles = slices().matching("io.cwm.(**)").should().beFreeOfCycles();

  private static final String[] LEAVES = {"io.cwm.error", "io.cwm.net", "io.cwm.bus", "io.cwm.retry", "io.cwm.amqp"};

  @ArchTest
  static final ArchRule leafPackagesImportNoneOfOurs = noClasses().that().resideInAnyPackage(LEAVES)
      .should().dependOnClassesThat(resideInAPackage("io.cwm..").and(resideOutsideOfPackages(LEAVES)));

  @ArchTest
  static final ArchRule configImportsOnlyLeaves = noClasses().that().resideInAPackage("io.cwm.config")
      .should().dependOnClassesThat(resideInAPackage("io.cwm..")
          .and(resideOutsideOfPackages("io.cwm.config", "io.cwm.net", "io.cwm.retry")));

  @ArchTest
  static final ArchRule onlyTheCompositionRootKnowsTheApp = noClasses()
      .that().resideOutsideOfPackages("io.cwm", "io.cwm.app")
      .should().dependOnClassesThat().resideInAPackage("io.cwm.app");

  @ArchTest
  static final ArchRule areasDoNotKnowTheirImplementations = noClasses()
      .that().resideInAnyPackage("io.cwm.module", "io.cwm.buffer", "io.cwm.connector", "io.cwm.stream")
      .should().dependOnClassesThat().resideInAnyPackage("io.cwm.module.*..", "io.cwm.buffer.*..",
          "io.cwm.connector.*..", "io.cwm.stream.*..");
}

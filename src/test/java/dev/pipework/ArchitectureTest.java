package dev.pipework;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.pipework.exec.ProcessCommandRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shape of the code: data flows one way (parse, resolve facts, plan, execute), and each layer
 * imports only those below it. From the bottom: values ({@code model}, {@code json}); machine
 * primitives ({@code sys}); the pure planner ({@code plan}); the fact readers ({@code host},
 * {@code guest}), the executor ({@code exec}) and the renderers ({@code render}); the flows every
 * front end shares ({@code run}); the front ends ({@code cli}; {@code cni}, the CNI plugin; and
 * {@code watch}, which keeps declared attachments).
 */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.pipework");
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.pipework.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void layersImportOnlyDownward() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("values").definedBy("dev.pipework.model..", "dev.pipework.json..")
                .layer("primitives").definedBy("dev.pipework.sys..")
                .layer("planner").definedBy("dev.pipework.plan..")
                .layer("readers").definedBy("dev.pipework.host..", "dev.pipework.guest..", "dev.pipework.ipam..")
                .layer("executor").definedBy("dev.pipework.exec..")
                .layer("renderers").definedBy("dev.pipework.render..")
                .layer("flows").definedBy("dev.pipework.run..")
                .layer("front ends").definedBy("dev.pipework.cli..", "dev.pipework.cni..", "dev.pipework.watch..",
                        "dev.pipework.driver..")
                .whereLayer("front ends").mayNotBeAccessedByAnyLayer()
                .whereLayer("flows").mayOnlyBeAccessedByLayers("front ends")
                .whereLayer("renderers").mayOnlyBeAccessedByLayers("flows", "front ends")
                .whereLayer("executor").mayOnlyBeAccessedByLayers("flows", "front ends")
                .whereLayer("readers").mayOnlyBeAccessedByLayers("flows", "front ends")
                .whereLayer("planner").mayOnlyBeAccessedByLayers("readers", "executor", "renderers", "flows",
                        "front ends")
                .whereLayer("primitives").mayOnlyBeAccessedByLayers("planner", "readers", "executor", "renderers",
                        "flows", "front ends")
                .check(classes);
    }

    /** The planner decides; it reads nothing and runs nothing: no file, socket or process API, no reader. */
    @Test
    void thePlannerReachesNoInputOutput() {
        classes().that().resideInAPackage("dev.pipework.plan..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.pipework.plan..", "dev.pipework.model..",
                        "dev.pipework.sys..", "java.lang..", "java.util..", "java.time..", "java.security..",
                        "java.nio.charset..")
                .check(classes);
    }

    /**
     * The values and the primitives below the planner do no input or output either. IPv6 literals
     * are parsed by {@link InetAddress#getByName}, which looks nothing up for a text of hex digits,
     * colons and dots (the only text it is given).
     */
    @Test
    void valuesAndPrimitivesDoNoInputOutput() {
        classes().that().resideInAnyPackage("dev.pipework.model..", "dev.pipework.sys..", "dev.pipework.json..")
                .should().onlyDependOnClassesThat(resideInAnyPackage("dev.pipework.model..", "dev.pipework.sys..",
                        "dev.pipework.json..", "java.lang..", "java.util..", "java.security..", "java.nio.charset..",
                        "java.math..", "java.time..").or(belongToAnyOf(InetAddress.class, UnknownHostException.class)))
                .check(classes);
    }

    /**
     * Every child process goes through the runner, which bounds it, stops what it started with it,
     * and logs it for {@code -v}: nothing else may make a {@link ProcessBuilder} or call
     * {@code Runtime.exec}.
     */
    @Test
    void onlyTheRunnerStartsProcesses() {
        DescribedPredicate<JavaClass> theRunner = DescribedPredicate.describe("the process runner",
                c -> c.getName().equals(ProcessCommandRunner.class.getName())
                        || c.getName().startsWith(ProcessCommandRunner.class.getName() + "$"));
        noClasses().that(DescribedPredicate.not(theRunner))
                .should().dependOnClassesThat().belongToAnyOf(ProcessBuilder.class)
                .orShould().callMethodWhere(DescribedPredicate.describe("Runtime.exec",
                        call -> call.getTargetOwner().isEquivalentTo(Runtime.class)
                                && call.getName().equals("exec")))
                .check(classes);
    }

    @Test
    void noMainSourceFileIsOver450Lines() throws IOException {
        // src/main/java22: what the jar carries for JVMs of 22 and later (META-INF/versions/22)
        try (Stream<Path> files = Stream.of("src/main/java", "src/main/java22").map(Path::of).filter(Files::isDirectory)
                .flatMap(ArchitectureTest::walk)) {
            List<String> long_ = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> lines(p) > 450)
                    .map(p -> p + " (" + lines(p) + " lines)")
                    .toList();
            assertEquals(List.of(), long_);
        }
    }

    private static Stream<Path> walk(Path root) {
        try {
            return Files.walk(root);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long lines(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

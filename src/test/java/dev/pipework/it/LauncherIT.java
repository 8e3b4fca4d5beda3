package dev.pipework.it;

import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.Trees;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Which JVM the launcher runs: {@code PIPEWORK_JAVA} (or {@code JAVA}), then {@code JAVA_HOME}, then
 * the newest JDK (17 or later) under the JVM directory (or the runtime linked from it, while that
 * JDK is of the build it was linked from), then java on PATH. Fake JDKs answer with their name, so
 * nothing here starts a real JVM.
 */
class LauncherIT {
    private static final Path LAUNCHER = Pipework.jar().getParent().getParent().resolve("scripts/pipework");

    private Path dir;

    @BeforeEach
    void fakeJdks() throws IOException {
        dir = Files.createTempDirectory("pw-launcher");
        jdk("java-11-fake", "11.0.2");
        jdk("java-17-fake", "17.0.15");
        jdk("temurin-25-fake", "25.0.1");
        jdk("java-21-fake", "21.0.4");
        Files.createSymbolicLink(dir.resolve("jvm/default-java"), dir.resolve("jvm/java-11-fake"));
        Files.createDirectories(dir.resolve("empty"));
        Files.writeString(dir.resolve("pipework.jar"), "not read by a fake JVM\n");
        script(dir.resolve("path/java"), "path");
    }

    @AfterEach
    void remove() {
        Trees.delete(dir);
    }

    @Test
    void theNewestJdkUnderTheJvmDirectory() {
        assertEquals("25.0.1", run(Map.of()));
    }

    @Test
    void javaHomeComesBeforeTheJvmDirectory() {
        assertEquals("17.0.15", run(Map.of("JAVA_HOME", dir.resolve("jvm/java-17-fake").toString())));
    }

    @Test
    void pipeworkJavaComesFirst() {
        assertEquals("11.0.2", run(Map.of("PIPEWORK_JAVA", dir.resolve("jvm/java-11-fake/bin/java").toString(),
                "JAVA_HOME", dir.resolve("jvm/java-17-fake").toString())));
        assertEquals("21.0.4", run(Map.of("JAVA", dir.resolve("jvm/java-21-fake/bin/java").toString())));
    }

    @Test
    void javaOnPathWhenNoJdkOf17OrLaterIsThere() {
        assertEquals("path", run(Map.of("PIPEWORK_JVM_DIR", dir.resolve("empty").toString())));
    }

    @Test
    void theRuntimeLinkedFromTheNewestJdkRunsInItsPlace() throws IOException {
        runtime("temurin-25-fake", "JAVA_VERSION=\"25.0.1\"");
        assertEquals("runtime", run(Map.of("PIPEWORK_RUNTIME", dir.resolve("runtime").toString())));
    }

    @Test
    void aRuntimeOfAnotherBuildOrJdkIsNotRun() throws IOException {
        // That JDK was updated since: the runtime is older than it.
        runtime("temurin-25-fake", "JAVA_VERSION=\"25.0.0\"");
        assertEquals("25.0.1", run(Map.of("PIPEWORK_RUNTIME", dir.resolve("runtime").toString())));
        // Made from a JDK that is no longer the newest.
        runtime("java-21-fake", "JAVA_VERSION=\"21.0.4\"");
        assertEquals("25.0.1", run(Map.of("PIPEWORK_RUNTIME", dir.resolve("runtime").toString())));
    }

    @Test
    void javaHomeComesBeforeTheRuntime() throws IOException {
        runtime("temurin-25-fake", "JAVA_VERSION=\"25.0.1\"");
        assertEquals("17.0.15", run(Map.of("PIPEWORK_RUNTIME", dir.resolve("runtime").toString(),
                "JAVA_HOME", dir.resolve("jvm/java-17-fake").toString())));
    }

    /** A runtime as PIPEWORK_CDS=create links it, recorded as made from that JDK of that build. */
    private void runtime(String from, String build) throws IOException {
        Path home = dir.resolve("runtime");
        script(home.resolve("bin/java"), "runtime");
        Files.writeString(home.resolve("pipework-source"), dir.resolve("jvm").resolve(from) + "\n" + build + "\n");
    }

    /** The launcher's choice, as the fake JVM it ran prints it. */
    private String run(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("PIPEWORK_JVM_DIR", dir.resolve("jvm").toString());
        env.put("PIPEWORK_JAR", dir.resolve("pipework.jar").toString());
        env.put("PIPEWORK_CDS", "off");
        env.put("PATH", dir.resolve("path") + ":/usr/bin:/bin");
        for (String unset : List.of("JAVA_HOME", "JAVA", "PIPEWORK_JAVA")) {
            env.put(unset, null);
        }
        env.putAll(extra);
        Sh.Result r = Sh.run(List.of("sh", LAUNCHER.toString(), "--version"), Duration.ofSeconds(30), null, env);
        assertEquals(0, r.code(), r.describe());
        return r.out().strip();
    }

    private void jdk(String name, String version) throws IOException {
        Path home = Files.createDirectories(dir.resolve("jvm").resolve(name));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"fake\"\nJAVA_VERSION=\"" + version + "\"\n");
        script(home.resolve("bin/java"), version);
    }

    private static void script(Path file, String answer) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\necho " + answer + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}

package dev.pipework.guest;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Docker and podman guests through a fake engine; the order in which runtimes are asked. */
class EngineRuntimeTest {
    static final String ID = "5daadd09050d675dfe97801fdfb537f3c6193955cabb8883ca0c76fc3346bbce";
    static final String OTHER = "3c29b7ae3f617889dc37c0b02be17a5d2483ae35403f6b78e56bb0ff43f38b42";

    @TempDir
    Path dir;
    Path proc;
    List<String> warnings = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        proc = dir.resolve("proc");
        for (int pid : new int[] {9427, 9500}) {
            Files.createDirectories(proc.resolve(pid + "/ns"));
            Files.writeString(proc.resolve(pid + "/ns/net"), "netns " + pid);
        }
        Files.writeString(Files.createDirectories(proc).resolve("mounts"), "proc /proc proc rw 0 0\n");
        Files.writeString(proc.resolve("filesystems"), "nodev\tcgroup2\n");
    }

    /** An engine that knows containers by name (bare) and by full ID. */
    static final class FakeEngine implements DockerEngine {
        final Map<String, DockerContainer> containers = new HashMap<>();
        final AtomicInteger asked = new AtomicInteger();

        void put(DockerContainer c) {
            containers.put(c.id(), c);
            containers.put(c.name().startsWith("/") ? c.name().substring(1) : c.name(), c);
        }

        public Optional<DockerContainer> inspect(String nameOrId) {
            asked.incrementAndGet();
            return Optional.ofNullable(containers.get(nameOrId));
        }

        public List<String> idsWithLabel(String key, String value) {
            return List.of();
        }

        public List<String> runningIds() {
            return containers.values().stream().filter(DockerContainer::running).map(DockerContainer::id).distinct()
                    .toList();
        }

        public boolean isAvailable() {
            return true;
        }

        public String createAndStart(String name, Map<String, Object> createBody) throws DockerException {
            throw new DockerException("fake", "not here");
        }

        public boolean remove(String nameOrId, boolean force) {
            return false;
        }

        public String endpoint() {
            return "fake";
        }
    }

    @Test
    void podmanContainerByNameAndId() {
        FakeEngine podman = new FakeEngine();
        // podman's CLI gives the name bare; the guest carries it as Docker's API does.
        podman.put(new DockerContainer(ID, "web", 9427, true));
        PodmanRuntime runtime = new PodmanRuntime(() -> podman, proc, warnings::add);
        Guest g = runtime.find("web", true).orElseThrow();
        assertEquals(PodmanRuntime.RUNTIME, g.runtime());
        assertEquals("podman", g.runtime().key());
        assertEquals(Optional.of(ID), g.id());
        assertEquals(Optional.of("/web"), g.name());
        assertEquals("web", g.displayName());
        assertEquals(9427, g.pid());
        assertEquals(GuestRuntime.inode(proc.resolve("9427/ns/net")), g.netnsInode());
        assertEquals(Optional.of("/web"), runtime.find(ID, true).orElseThrow().name());
        assertEquals(List.of(9427), runtime.all().stream().map(Guest::pid).toList());
        assertFalse(g.runtime().helperContainers());
    }

    @Test
    void verifyUnchangedChecksIdAndPid() {
        FakeEngine podman = new FakeEngine();
        podman.put(new DockerContainer(ID, "/web", 9427, true));
        PodmanRuntime runtime = new PodmanRuntime(() -> podman, proc, warnings::add);
        Guest g = runtime.find("web", true).orElseThrow();
        assertDoesNotThrow(() -> runtime.verifyUnchanged(g));

        podman.put(new DockerContainer(ID, "/web", 9500, true));
        PipeworkException restarted = assertThrows(PipeworkException.class, () -> runtime.verifyUnchanged(g));
        assertTrue(restarted.getMessage().contains("stopped or restarted"), restarted.getMessage());

        podman.put(new DockerContainer(ID, "/web", 9427, false));
        assertThrows(PipeworkException.class, () -> runtime.verifyUnchanged(g));

        // Removed, and another container of that name started: the ID is asked for, not the name.
        podman.containers.clear();
        podman.put(new DockerContainer(OTHER, "/web", 9427, true));
        assertThrows(PipeworkException.class, () -> runtime.verifyUnchanged(g));
    }

    @Test
    void aStoppedContainerIsFoundForRemovalOnly() {
        FakeEngine podman = new FakeEngine();
        podman.put(new DockerContainer(ID, "/web", 0, false));
        PodmanRuntime runtime = new PodmanRuntime(() -> podman, proc, warnings::add);
        Guest g = runtime.find("web", false).orElseThrow();
        assertEquals(0, g.pid());
        assertEquals(Optional.of(ID), g.id());
        PipeworkException e = assertThrows(PipeworkException.class, () -> runtime.find("web", true));
        assertEquals("podman inspect returned invalid PID 0", e.getMessage());
    }

    @Test
    void thePodmanEngineIsLookedForOnlyWhenAsked() {
        AtomicInteger detected = new AtomicInteger();
        FakeEngine podman = new FakeEngine();
        PodmanRuntime runtime = new PodmanRuntime(() -> {
            detected.incrementAndGet();
            return podman;
        }, proc, warnings::add);
        assertEquals(0, detected.get());
        runtime.find("web", true);
        runtime.find("db", true);
        assertEquals(1, detected.get());
    }

    private RuntimeResolver resolver(FakeEngine docker, FakeEngine podman) {
        DockerRuntime d = new DockerRuntime(docker, proc, warnings::add);
        return new RuntimeResolver(List.of(new NetnsFileRuntime(), new LxcRuntime(proc), d,
                new PodmanRuntime(() -> podman, proc, warnings::add),
                new NamedNetnsRuntime(dir.resolve("netns"), warnings::add), new ProcessRuntime(proc)), d,
                warnings::add);
    }

    @Test
    void aNameKnownToDockerAndPodmanIsDockers() {
        FakeEngine docker = new FakeEngine();
        FakeEngine podman = new FakeEngine();
        docker.put(new DockerContainer(OTHER, "/web", 9500, true));
        podman.put(new DockerContainer(ID, "/web", 9427, true));
        podman.put(new DockerContainer(ID.replace('5', '6'), "/db", 9427, true));
        RuntimeResolver resolver = resolver(docker, podman);
        assertEquals(DockerRuntime.RUNTIME, resolver.resolve("web", true).runtime());
        assertEquals(PodmanRuntime.RUNTIME, resolver.resolve("db", true).runtime());
        // A PID is a process only when no runtime before knows the word.
        assertEquals(ProcessRuntime.RUNTIME, resolver.resolve("9427", true).runtime());
        PipeworkException e = assertThrows(PipeworkException.class, () -> resolver.resolve("nope", true));
        assertEquals("Container nope not found, and unknown to Docker.", e.getMessage());
    }

    @Test
    void podmanGuestsAreVerifiedByPodman() {
        FakeEngine docker = new FakeEngine();
        FakeEngine podman = new FakeEngine();
        podman.put(new DockerContainer(ID, "/db", 9427, true));
        RuntimeResolver resolver = resolver(docker, podman);
        Guest g = resolver.resolve("db", true);
        int before = podman.asked.get();
        resolver.verifyUnchanged(g);
        assertEquals(before + 1, podman.asked.get());
        podman.put(new DockerContainer(ID, "/db", 9500, true));
        assertInstanceOf(PipeworkException.class, assertThrows(RuntimeException.class, () -> resolver.verifyUnchanged(g)));
    }

    /** Once the namespace is held with the inode resolved, an engine's guest is not asked about again. */
    @Test
    void aPinnedEngineGuestIsNotAskedAgain() {
        FakeEngine docker = new FakeEngine();
        FakeEngine podman = new FakeEngine();
        podman.put(new DockerContainer(ID, "/db", 9427, true));
        RuntimeResolver resolver = resolver(docker, podman);
        Guest g = resolver.resolve("db", true);
        int before = podman.asked.get();
        podman.put(new DockerContainer(ID, "/db", 9500, true));
        assertDoesNotThrow(() -> resolver.verifyPinned(g));
        assertEquals(before, podman.asked.get(), "the engine was asked again");
    }

    /**
     * A word of digits is Docker's when Docker knows it (an ID prefix), as the original, which knows
     * no PIDs, reads it; a PID otherwise. A PID that Docker also knows is named by its namespace
     * file, /proc/<pid>/ns/net.
     */
    @Test
    void digitsAreADockerIdPrefixBeforeAPid() {
        FakeEngine docker = new FakeEngine();
        RuntimeResolver resolver = resolver(docker, new FakeEngine());
        assertEquals(ProcessRuntime.RUNTIME, resolver.resolve("9500", true).runtime());
        docker.containers.put("9500", new DockerContainer(ID, "/web", 9427, true));
        Guest g = resolver.resolve("9500", true);
        assertEquals(DockerRuntime.RUNTIME, g.runtime());
        assertEquals(9427, g.pid());
        // A path is a namespace file and nothing else; this one (a fake's regular file) is not nsfs.
        dev.pipework.model.PipeworkException notNs = org.junit.jupiter.api.Assertions.assertThrows(
                dev.pipework.model.PipeworkException.class,
                () -> resolver.resolve(proc.resolve("9500/ns/net").toString(), true));
        org.junit.jupiter.api.Assertions.assertTrue(notNs.getMessage().contains("is not a network namespace file"),
                notNs.getMessage());
    }

    @Test
    void aContainerAlreadyInspectedIsTheGuestItsIdResolvesToWithoutAskingAgain() {
        FakeEngine docker = new FakeEngine();
        DockerContainer web = new DockerContainer(ID, "/web", 9427, true);
        docker.put(web);
        RuntimeResolver resolver = resolver(docker, new FakeEngine());
        EngineIdResolver byId = new EngineIdResolver(resolver, ID);
        Guest resolved = byId.resolve(ID);
        int asked = docker.asked.get();
        assertEquals(Optional.of(resolved), byId.engineContainer(web));
        assertEquals(asked, docker.asked.get());
        // Another container's inspect, one without a PID, or one whose namespace is gone: none.
        assertEquals(Optional.empty(), byId.engineContainer(new DockerContainer(OTHER, "/db", 9500, true)));
        assertEquals(Optional.empty(), byId.engineContainer(new DockerContainer(ID, "/web", 0, true)));
        assertEquals(Optional.empty(), byId.engineContainer(new DockerContainer(ID, "/web", 9999, true)));
    }
}

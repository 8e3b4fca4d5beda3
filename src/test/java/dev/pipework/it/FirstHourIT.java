package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestContainers;

/**
 * What a new user meets first, when something is not as the tool expects: each message says what
 * happened and what to do, and none says something untrue.
 */
class FirstHourIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** The tool, run as user nobody (no groups), from a copy of the jar that user can read. */
    private static Sh.Result asNobody(Path jarCopy, String... args) {
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Pipework.java(), "-jar", jarCopy.toString()));
        argv.addAll(List.of(args));
        return Sh.run(argv, TIMEOUT, null, Map.of("HOME", "/nonexistent"));
    }

    /** A dry run without root, for a Docker container, says what it needs and nothing untrue. */
    @Test
    void aDryRunWithoutAccessToTheSocketSaysWhatItNeeds() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        Prerequisites.requireCommand("setpriv");
        Path socket = Path.of("/var/run/docker.sock");
        Prerequisites.require(Files.exists(socket), "the Docker API socket " + socket);
        Path dir = Files.createTempDirectory("pw-it-nobody");
        Path jar = dir.resolve("pipework.jar");
        try (TestContainers containers = new TestContainers()) {
            Files.copy(Pipework.jar(), jar);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
            String web = containers.start("web");
            Sh.Result r = asNobody(jar, "--dry-run", "br1", web, "10.200.1.12/24");
            assertNotEquals(0, r.code(), r.describe());
            assertTrue(r.err().contains("read access") && r.err().contains(socket.toString()), r.describe());
            assertFalse(r.err().contains("java."), "a Java exception's name: " + r.describe());
            assertFalse(r.err().contains("Docker engine (podman"), "podman called a Docker engine: " + r.describe());
            assertFalse(r.err().contains("not found"), "the container exists: " + r.describe());
        } finally {
            Files.deleteIfExists(jar);
            Files.deleteIfExists(dir);
        }
    }

    /** With the daemon unreachable, the tool says so, and not that the container is unknown. */
    @Test
    void anUnreachableDaemonIsNotAContainerNotFound() {
        Prerequisites.requireCommand("docker");
        Sh.Result r = Pipework.run(List.of("--dry-run", "br1", "pw-it-nowhere", "10.200.1.12/24"), TIMEOUT,
                Map.of("DOCKER_HOST", "unix:///nonexistent/docker.sock"));
        assertEquals(1, r.code(), r.describe());
        assertTrue(r.err().contains("Cannot connect to the Docker daemon"), r.describe());
        assertFalse((r.out() + r.err()).contains("not found"), r.describe());
    }

    /** del of a name no runtime knows is an error, as status of it is; a known guest with nothing plumbed is not. */
    @Test
    void delOfAnUnknownGuestFailsAndOfAnEmptyOneDoesNot() {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        try (TestContainers containers = new TestContainers()) {
            String typo = "pw-it-" + dev.pipework.it.support.HostCleanup.uniqueSuffix() + "-nosuch";
            Sh.Result unknown = Pipework.run("del", typo);
            assertEquals(1, unknown.code(), unknown.describe());
            assertTrue(unknown.err().contains(typo) && unknown.err().contains("not found"), unknown.describe());
            assertFalse(unknown.err().contains("nothing to remove"), unknown.describe());

            String web = containers.start("empty");
            Sh.Result empty = Pipework.run("del", web);
            assertEquals(0, empty.code(), empty.describe());
            assertTrue(empty.err().contains("nothing to remove"), empty.describe());
        }
    }

    /**
     * apply names the file and line of each declaration it cannot carry out (a guest that is not
     * there, words in another order), applies the others, and exits 1; a --config file that is not
     * there is an error too.
     */
    @Test
    void applySaysWhichLinesItCouldNotApply() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        try (dev.pipework.it.support.Rig rig = new dev.pipework.it.support.Rig()) {
            String br = rig.bridge();
            dev.pipework.it.support.Guest web = rig.container("apply");
            Path file = Files.createTempFile("pw-it-attachments", "");
            try {
                String missing = "pw-it-" + rig.suffix() + "-absent";
                Files.writeString(file, String.join("\n",
                        "# attachments",
                        br + " " + missing + " 10.151.0.3/24",
                        web.name() + " " + br + " 10.151.0.4/24",
                        br + " " + web.name() + " 10.151.0.2/24", ""));
                Sh.Result r = Pipework.run("apply", "--config", file.toString());
                assertEquals(1, r.code(), r.describe());
                assertTrue(r.err().contains(file + ":2") && r.err().contains(missing), r.describe());
                assertTrue(r.err().contains(file + ":3"), "the line with its words in another order: " + r.describe());
                assertTrue(web.netExec("ip", "-o", "addr", "show", "eth1").out().contains("10.151.0.2/24"),
                        "the good line was applied: " + r.describe());

                Path absent = file.resolveSibling(file.getFileName() + "-absent");
                Sh.Result none = Pipework.run("apply", "--config", absent.toString());
                assertEquals(1, none.code(), none.describe());
                assertTrue(none.err().contains(absent.toString()) && none.err().contains("no such file"), none.describe());
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    /** -l naming the bridge itself: the message says which name collides with what. */
    @Test
    void aLocalNameThatIsTheBridgeSaysSo() {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        try (dev.pipework.it.support.Rig rig = new dev.pipework.it.support.Rig()) {
            String br = rig.bridge();
            dev.pipework.it.support.Guest c = rig.container("local");
            Pipework.ok(br, c.name(), "10.153.0.2/24");
            Sh.Result r = Pipework.run("-i", "eth2", "-l", br, br, c.name(), "10.153.0.3/24");
            assertEquals(1, r.code(), r.describe());
            assertTrue(r.err().startsWith("Link " + br + " exists and is up"), r.describe());
            assertTrue(r.err().contains("-l " + br + " names the host end")
                    && r.err().contains("the Linux bridge this attach joins"), r.describe());
        }
    }

    /** The lock files of a run (its bridge's, its guest's) go when it ends, a refused run's too. */
    @Test
    void lockFilesGoWithTheirRuns() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        try (dev.pipework.it.support.Rig rig = new dev.pipework.it.support.Rig()) {
            String br = rig.bridge();
            dev.pipework.it.support.Guest c = rig.container("locks");
            Object inode = Files.getAttribute(Path.of("/proc/" + c.pid() + "/ns/net"), "unix:ino");
            Path dir = Path.of("/run/lock/pipework");
            List<Path> files = List.of(dir.resolve("link-" + br + ".lock"), dir.resolve("netns-" + inode + ".lock"));
            Pipework.ok(br, c.name(), "10.155.0.2/24");
            assertEquals(List.of(), files.stream().filter(Files::exists).toList(), "after an attach");
            Sh.Result refused = Pipework.run("-i", "eth2", "-l", br, br, c.name(), "10.155.0.3/24");
            assertEquals(1, refused.code(), refused.describe());
            assertEquals(List.of(), files.stream().filter(Files::exists).toList(), "after a refused run");
            Pipework.ok("del", c.name());
            assertEquals(List.of(), files.stream().filter(Files::exists).toList(), "after del");
        }
    }

    /**
     * An Open vSwitch bridge made by hand with the kernel datapath, on a kernel without the module:
     * recognised, with the command that gives it the userspace datapath, and no contradicting lines.
     */
    @Test
    void aHandMadeOvsBridgeWithoutItsDatapathIsRecognised() {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        Prerequisites.requireOvs();
        Prerequisites.require(!Files.isDirectory(Path.of("/sys/module/openvswitch")),
                "a kernel without the openvswitch module");
        try (dev.pipework.it.support.Rig rig = new dev.pipework.it.support.Rig()) {
            String ovs = rig.ovsBridge();
            Sh.ok("ovs-vsctl", "add-br", ovs);
            dev.pipework.it.support.Guest c = rig.container("dp");
            Sh.Result r = Pipework.run(ovs, c.name(), "10.154.0.2/24");
            assertEquals(1, r.code(), r.describe());
            assertTrue(r.err().contains("ovs-vsctl set bridge " + ovs + " datapath_type=netdev"), r.describe());
            assertFalse(r.err().contains("already exists") || r.err().contains("creating Open vSwitch bridge"),
                    r.describe());
        }
    }
}

package dev.pipework.cni;

import dev.pipework.NetnsOfItsOwn;

import dev.pipework.guest.CniRecords;
import dev.pipework.guest.Docker;
import dev.pipework.guest.GuestInspector;
import dev.pipework.guest.GuestResolver;
import dev.pipework.host.HostInspector;
import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;
import dev.pipework.model.Guest;
import dev.pipework.plan.GuestLink;
import dev.pipework.plan.HostLink;
import dev.pipework.plan.LinkFacts;
import dev.pipework.plan.OvsPort;
import dev.pipework.run.Services;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CNI DEL reads what it removes under its locks (the network's bridge, then the container's
 * namespace), through the namespace held open: what an ADD running at the same time half-made is
 * never taken for the whole.
 */
class CniDelUnderLocksTest {
    private static final String BRIDGE = "brdeltest0";

    @TempDir
    Path dir;

    /** Each read of the machine: what was read, whether both locks were held, the namespace path it went through. */
    record Read(String what, boolean locked, String netns) {
    }

    final List<Read> reads = new ArrayList<>();
    final List<List<String>> ran = new ArrayList<>();
    long inode;

    /** Whether this process holds the lock of that name, as the kernel's table of locks shows it. */
    boolean held(String name) {
        Path file = dir.resolve("locks").resolve(name + ".lock");
        try {
            if (!Files.exists(file)) {
                return false;
            }
            long ino = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
            String pid = Long.toString(ProcessHandle.current().pid());
            return Files.readAllLines(Path.of("/proc/locks")).stream()
                    .map(line -> line.trim().split("\\s+"))
                    .anyMatch(f -> f.length > 5 && f[4].equals(pid) && f[5].endsWith(":" + ino));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    void read(String what, String netns) {
        reads.add(new Read(what, held("link-" + BRIDGE) && held("netns-" + inode), netns));
    }

    Services services() {
        GuestResolver guests = new GuestResolver() {
            public Guest resolve(String token, boolean running) {
                throw new AssertionError("a CNI guest is resolved by the plugin");
            }

            public List<Guest> all() {
                return List.of();
            }

            public void verifyUnchanged(Guest g) {
            }
        };
        GuestInspector inside = new GuestInspector() {
            public Optional<DefaultRoute> defaultRoute(String netnsPath, Family family) {
                read("defaultRoute", netnsPath);
                return Optional.empty();
            }

            public List<GuestLink> links(String netnsPath, String g) {
                read("guestLinks", netnsPath);
                return List.of(new GuestLink("eth1", 5, "macvlan", "pipework macvlan eth0", Optional.of(2),
                        false, "02:00:00:00:00:01", 1500, "UP", List.of()));
            }
        };
        HostInspector host = new HostInspector() {
            public Optional<LinkFacts> link(String name) {
                read("link " + name, "");
                return Optional.empty();
            }

            public Optional<String> linkWithMac(String mac) {
                read("linkWithMac", "");
                return Optional.empty();
            }

            public boolean ovsInstalled() {
                read("ovsInstalled", "");
                return false;
            }

            public boolean isOvsBridge(String name) {
                read("isOvsBridge", "");
                return false;
            }

            public boolean ovsKernelDatapath() {
                read("ovsKernelDatapath", "");
                return false;
            }

            public boolean commandInstalled(String command) {
                read("commandInstalled", "");
                return false;
            }

            public Map<Integer, HostLink> links() {
                read("hostLinks", "");
                return Map.of();
            }

            public Map<String, OvsPort> ovsPorts() {
                read("ovsPorts", "");
                return Map.of();
            }

            public boolean fileExists(String path) {
                read("fileExists", "");
                return false;
            }
        };
        CommandRunner runner = new CommandRunner() {
            public CommandResult run(List<String> argv) {
                ran.add(argv);
                return new CommandResult(0, "", "");
            }

            public CommandResult run(List<String> argv, String stdin) {
                return run(argv);
            }
        };
        return new Services(runner, host, guests, inside, () -> 0, dir.resolve("locks"), Docker.unavailable());
    }

    @Test
    void delReadsItsFactsUnderTheLocksThroughThePinnedNamespace() throws Exception {
        // A namespace of its own, not the host's (which no front end takes as a guest).
        try (NetnsOfItsOwn other = NetnsOfItsOwn.start()) {
            delUnderLocks(other.path());
        }
    }

    private void delUnderLocks(String netns) throws Exception {
        inode = ((Number) Files.getAttribute(Path.of(netns), "unix:ino")).longValue();
        CniEnv env = CniEnv.from(Map.of("CNI_COMMAND", "DEL", "CNI_CONTAINERID", "c1", "CNI_NETNS", netns,
                "CNI_IFNAME", "eth1"));
        Map<String, Object> raw = NetConf.decode("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"pipework\","
                + "\"bridge\":\"" + BRIDGE + "\"}");
        CniPlugin plugin = new CniPlugin(services(), new CniRecords(dir.resolve("records")),
                new PrintStream(new ByteArrayOutputStream()));

        plugin.del(env, raw, "");

        assertFalse(reads.isEmpty(), "DEL read nothing");
        for (Read r : reads) {
            assertTrue(r.locked(), "read without the bridge's and the namespace's locks: " + reads);
        }
        String pinned = "/proc/" + ProcessHandle.current().pid() + "/fd/[0-9]+";
        assertTrue(reads.stream().anyMatch(r -> r.what().equals("guestLinks")), reads.toString());
        reads.stream().filter(r -> r.what().equals("guestLinks"))
                .forEach(r -> assertTrue(r.netns().matches(pinned), "not through the pin: " + r));
        assertEquals(1, ran.size(), "the macvlan is deleted: " + ran);
        assertTrue(ran.get(0).get(1).matches("--net=" + pinned), ran.toString());
    }
}

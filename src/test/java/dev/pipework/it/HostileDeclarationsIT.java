package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.PrivateEngine;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;

/**
 * What a container's creator writes (labels, names) and what names a guest cannot steer the host:
 * on containers of an engine of the test's own. Where a declaration could reach "the host", pipework
 * runs inside a throwaway network namespace that stands in for it, with a veth pair as its uplink
 * and its own default route, and that namespace's links, addresses, routes and files are compared
 * before and after.
 */
class HostileDeclarationsIT {
    private static PrivateEngine engine;
    private static Path work;
    private static final String S = HostCleanup.uniqueSuffix();
    private static final HostCleanup HOST = new HostCleanup();
    private static final TestNetns NETNS = new TestNetns();

    @BeforeAll
    static void engine() throws IOException {
        Prerequisites.requireRoot();
        Prerequisites.requireDocker();
        engine = PrivateEngine.start();
        work = Files.createTempDirectory("pw-hostile");
    }

    @AfterAll
    static void cleanUp() {
        try {
            if (engine != null) {
                engine.close();
            }
        } finally {
            NETNS.close();
            HOST.close();
            if (work != null) {
                Sh.run("rm", "-rf", work.toString());
            }
            for (String controller : List.of("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio",
                    "pids", "systemd", "unified", "")) {
                Sh.run("rmdir", "/sys/fs/cgroup/" + controller + "/pwcp" + S);
            }
        }
    }

    /** A stand-in for the host: a namespace with an uplink (a veth pair), an address and a default route, and a bridge. */
    private static String fakeHost(String label) {
        String ns = NETNS.create(label);
        // No IPv6: its addresses change state (tentative, then not) on their own, which is no change of ours.
        NETNS.ok(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        NETNS.ok(ns, "ip", "link", "add", "upl" + S, "type", "veth", "peer", "name", "upp" + S);
        NETNS.ok(ns, "ip", "link", "set", "upl" + S, "up");
        NETNS.ok(ns, "ip", "link", "set", "upp" + S, "up");
        NETNS.ok(ns, "ip", "addr", "add", "192.0.2.10/24", "dev", "upl" + S);
        NETNS.ok(ns, "ip", "route", "add", "default", "via", "192.0.2.1");
        NETNS.ok(ns, "ip", "link", "add", "brh" + S, "type", "bridge");
        NETNS.ok(ns, "ip", "link", "set", "brh" + S, "up");
        NETNS.ok(ns, "ip", "link", "add", "down" + S, "type", "veth", "peer", "name", "dp" + S);
        return ns;
    }

    private static String state(String ns) {
        return NETNS.ok(ns, "ip", "-o", "link").out() + NETNS.ok(ns, "ip", "-o", "addr").out()
                + NETNS.ok(ns, "ip", "route").out() + NETNS.ok(ns, "ip", "-6", "route").out() + files();
    }

    private static String files() {
        // What the test itself writes there (the attachments and policy files) is left out.
        return Sh.ok("ls", "-A", work.toString()).out().lines()
                .filter(f -> !f.equals("attachments") && !f.equals("watch.conf")).toList().toString();
    }

    private static String container(String name, String... dockerArgs) {
        List<String> argv = new ArrayList<>(List.of("run", "-d", "--net=none", "--name", name));
        argv.addAll(List.of(dockerArgs));
        argv.addAll(List.of(Prerequisites.TEST_IMAGE, "sleep", "86400"));
        engine.dockerOk(argv.toArray(String[]::new));
        return name;
    }

    private static String links(String container) {
        return Sh.ok("nsenter", "--net=/proc/" + engine.pid(container) + "/ns/net", "ip", "-o", "link").out();
    }

    /** {@code pipework apply} in namespace {@code ns} (the real host's when null), from the work directory. */
    private static Sh.Result apply(String ns, String policy) throws IOException {
        Path empty = work.resolve("attachments");
        Files.writeString(empty, "");
        Path conf = work.resolve("watch.conf");
        Files.writeString(conf, policy);
        List<String> argv = new ArrayList<>();
        if (ns != null) {
            argv.addAll(List.of("ip", "netns", "exec", ns));
        }
        argv.addAll(List.of("sh", "-c", "cd \"$0\" && exec \"$@\"", work.toString()));
        argv.addAll(Pipework.command(List.of("apply", "--config", empty.toString(), "--policy", conf.toString())));
        return Sh.run(argv, Duration.ofMinutes(2), null, engine.env());
    }

    /**
     * Labels ask for what only root may: the host's uplink moved into the container, a down host link
     * deleted and its name reused, DHCP client options writing a file, a bridge made, a default
     * route. Each is refused on one line naming container, label and rule; nothing changes.
     */
    @Test
    void whatALabelMayNotDoIsRefusedAndNothingChanges() throws IOException {
        String ns = fakeHost("labels");
        String before = state(ns);
        String c = container("pw-hostile-" + S + "-labels",
                "--label", "pipework.a=--direct-phys upl" + S + " 192.0.2.50/24",
                "--label", "pipework.b=brh" + S + " -l down" + S + " 10.91.0.2/24",
                "--label", "pipework.c=brh" + S + " 'udhcpc:-p owned'",
                "--label", "pipework.d=brnew" + S + " 10.91.1.2/24",
                "--label", "pipework.e=brh" + S + " 10.91.2.2/24@10.91.2.1",
                "--label", "pipework.f=upl" + S + " 10.91.3.2/24");
        try {
            refusedAndUnchanged(ns, before, c);
        } finally {
            engine.docker("rm", "-f", c);
        }
    }

    private static void refusedAndUnchanged(String ns, String before, String c) throws IOException {
        String inside = links(c);
        Sh.Result r = apply(ns, "");
        assertEquals(1, r.code(), r.describe());
        for (String rule : List.of("direct-phys", "local-name", "dhcp-options", "create-bridge", "route", "nic")) {
            long lines = r.err().lines().filter(l -> l.startsWith("pipework: " + c + ": refused (label pipework.")
                    && l.contains("rule \"" + rule + "\"")).count();
            assertEquals(1, lines, rule + ": " + r.describe());
        }
        assertEquals(before, state(ns), "the stand-in host changed");
        assertFalse(Files.exists(work.resolve("owned")), "a DHCP client option wrote a file");
        assertEquals(inside, links(c), "the container changed");

        // Opted in by the administrator, the same label is carried out.
        Sh.Result allowed = apply(ns, "allow route brh" + S + "\n");
        assertTrue(allowed.err().contains(c + ": eth1 attached (label pipework.e="), allowed.describe());
    }

    /**
     * A container named like another container's cgroup parent: its label is plumbed into itself,
     * not into the container below that cgroup.
     */
    @Test
    void aNameLikeAnotherContainersCgroupParentReachesOnlyItself() throws IOException {
        String parent = "pwcp" + S;
        String victim = container("pw-hostile-" + S + "-victim", "--cgroup-parent", "/" + parent);
        String victimLinks = links(victim);
        String br = HOST.bridge("brhc" + S);
        Sh.ok("ip", "link", "add", br, "type", "bridge");
        String attacker = container(parent, "--label", "pipework=" + br + " 10.92.0.2/24");
        Sh.Result r = apply(null, "");
        assertTrue(r.err().contains(parent + ": eth1 attached"), r.describe());
        assertEquals(victimLinks, links(victim), "the victim got the attacker's interface");
        assertTrue(links(attacker).contains(": eth1@"), "the attacker's own interface is missing: " + r.describe());
        engine.dockerOk("rm", "-f", victim, attacker);
    }

    /**
     * The host's own namespace is no guest: a PID of a host process (here, of the stand-in host)
     * changes nothing there, not even with a gateway.
     */
    @Test
    void aHostProcessIsNoGuest() {
        String ns = fakeHost("hostpid");
        long hostProcess = NETNS.processIn(ns);
        String before = state(ns);
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(Pipework.command(List.of("brh" + S, Long.toString(hostProcess), "198.51.100.2/24@198.51.100.1")));
        Sh.Result r = Sh.run(argv, Duration.ofMinutes(2), null, Map.of());
        assertNotEquals(0, r.code(), r.describe());
        assertTrue(r.err().contains("host's own network namespace"), r.describe());
        assertEquals(before, state(ns), "the stand-in host changed");
    }

    /**
     * A labelled container destroyed while its name is a named netns's: the watcher removes its
     * leftovers by its ID, and the namespace keeps its attachment.
     */
    @Test
    void aDestroyedContainersNameIsNotAnotherGuests() throws IOException, InterruptedException {
        String name = "pwhd" + S;
        String br = HOST.bridge("brhd" + S);
        Sh.ok("ip", "link", "add", br, "type", "bridge");
        Sh.ok("ip", "link", "set", br, "up");
        HOST.netns(name);
        Sh.ok("ip", "netns", "add", name);
        Pipework.ok(br, name, "10.93.0.9/24");
        String victimLinks = Sh.ok("ip", "-n", name, "-br", "addr").out();
        assertTrue(victimLinks.contains("eth1@"), victimLinks);

        Path empty = work.resolve("attachments-watch");
        Files.writeString(empty, "");
        Path log = work.resolve("watch.log");
        ProcessBuilder pb = new ProcessBuilder(Pipework.command(List.of("watch", "--config", empty.toString(),
                "--policy", work.resolve("none.conf").toString(), "-v")))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(engine.env());
        Process watcher = pb.start();
        try {
            Poll.until(Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> read(log).contains("following the events") ? java.util.Optional.of(true)
                            : java.util.Optional.empty(), "the watcher to follow the events");
            String c = container(name, "--label", "pipework=" + br + " 10.93.0.2/24");
            Poll.until(Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> read(log).contains(name + ": eth1 attached") ? java.util.Optional.of(true)
                            : java.util.Optional.empty(), "the container to be plumbed: " + read(log));
            engine.dockerOk("rm", "-f", c);
            Poll.until(Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> read(log).contains("event destroy") ? java.util.Optional.of(true)
                            : java.util.Optional.empty(), "the destroy event: " + read(log));
            Thread.sleep(2000);
            assertEquals(victimLinks, Sh.ok("ip", "-n", name, "-br", "addr").out(),
                    "the named netns lost its attachment: " + read(log));
        } finally {
            watcher.destroy();
            watcher.waitFor();
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }
}

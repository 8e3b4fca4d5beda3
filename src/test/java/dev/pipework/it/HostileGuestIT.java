package dev.pipework.it;

import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guest that lies: it sets pipework's marks on links of its own, names links like the host's,
 * and a pid file of its name points at a process of the host. {@code status} and {@code del --all}
 * print no stack trace, and touch nothing on the host that pipework did not make.
 */
class HostileGuestIT {
    static TestNetns netns;
    static String guest;
    static String bridge;
    static String lure;
    static Process bystander;

    @BeforeAll
    static void start() {
        Prerequisites.requireRoot();
        netns = new TestNetns();
        guest = netns.create("hostile");
        String n = HostCleanup.uniqueSuffix();
        bridge = "brhg" + n;
        lure = "pwlure" + n;
        Sh.ok("ip", "link", "add", "dev", bridge, "type", "bridge");
    }

    @AfterAll
    static void stop() throws IOException {
        if (bridge != null) {
            HostCleanup.deleteLink(bridge);
            HostCleanup.deleteLink(lure);
        }
        if (bystander != null) {
            bystander.destroy();
        }
        if (guest != null) {
            Files.deleteIfExists(Path.of("/var/run/udhcpc." + guest + ".pid"));
            Files.deleteIfExists(Path.of("/var/run/dhclient." + guest + ".pid"));
        }
        if (netns != null) {
            netns.close();
        }
    }

    /**
     * The host links a lie of this guest could aim at (the names its links carry or its marks name,
     * the host's own NIC and loopback), each with what pipework could change: bridge, alias, flags.
     * Other runs on this machine make and remove links of their own meanwhile: those are not looked at.
     */
    static Map<String, String> host() {
        List<String> aimed = List.of(bridge, lure, "eth0", "lo", "veth1pl1", "t0", "m1", "m2", "m3", "m4", "m5",
                "m6", "m7");
        Map<String, String> links = new TreeMap<>();
        for (Map<String, Object> l : IpJson.links(null)) {
            String name = (String) l.get("ifname");
            if (aimed.contains(name)) {
                links.put(name, l.get("master") + " " + l.get("ifalias") + " " + l.get("flags"));
            }
        }
        return links;
    }

    static void guestLink(String name, String alias) {
        // A bridge: the test kernel may lack the dummy driver.
        netns.ok(guest, "ip", "link", "add", "dev", name, "type", "bridge");
        if (alias != null) {
            netns.ok(guest, "ip", "link", "set", "dev", name, "alias", alias);
        }
    }

    static void noTrace(Sh.Result r) {
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat ") || r.out().contains("Exception"),
                r.describe());
        assertTrue(r.code() == 0 || r.code() == 1, r.describe());
        assertTrue(r.err().strip().lines().count() <= 1, "at most one line: " + r.describe());
    }

    @Test
    void statusAndDelTrustNothingTheGuestSays() throws IOException {
        // A tun device made to look like a NIC moved whole, named after nothing pipework moved.
        netns.ok(guest, "ip", "tuntap", "add", "t0", "mode", "tun");
        netns.ok(guest, "ip", "link", "set", "dev", "t0", "alias", "pipework direct " + lure + " 02:00:00:00:00:01");
        // Malformed marks.
        guestLink("m1", "pipework ");
        guestLink("m2", "pipework direct");
        guestLink("m3", "ovs");
        guestLink("m4", "linux");
        guestLink("m5", "pipework ovs " + bridge);
        guestLink("m6", "pipework linux " + bridge);
        guestLink("m7", "pipework veth eth0");
        // Names of the host's: its bridge, its first NIC, a host end as pipework names it; the host end's mark.
        guestLink(bridge, "pipework");
        guestLink("eth0", "pipework");
        guestLink("veth1pl1", "pipework");
        // A pid file of the guest's name that points at a process of the host's.
        bystander = new ProcessBuilder("sleep", "600").start();
        Files.writeString(Path.of("/var/run/udhcpc." + guest + ".pid"), bystander.pid() + "\n");
        Files.writeString(Path.of("/var/run/dhclient." + guest + ".pid"), bystander.pid() + "\n");

        Map<String, String> before = host();
        Sh.Result status = Pipework.run("status", guest);
        noTrace(status);
        Sh.Result json = Pipework.run("status", "--json", guest);
        noTrace(json);
        Sh.Result dryRun = Pipework.run("--dry-run", "del", "--all", guest);
        noTrace(dryRun);
        Sh.Result del = Pipework.run("del", "--all", guest);
        noTrace(del);
        Sh.Result again = Pipework.run("del", guest);
        noTrace(again);

        assertEquals(before, host(), "the host's links are as they were");
        assertFalse(IpJson.link(null, lure).isPresent(), "nothing came out of the guest");
        assertTrue(IpJson.linkInNetns(guest, "t0").isPresent(), "the guest's tun is still its own");
        assertTrue(bystander.isAlive(), "the process the pid file names still runs");
        for (String name : List.of(bridge, "eth0", "veth1pl1", "m1", "m5")) {
            assertTrue(IpJson.linkInNetns(guest, name).isPresent(), name + " is left in the guest");
        }
        assertFalse(status.out().contains("direct"), "no direct attachment shown: " + status.describe());
    }

    /**
     * Interface indexes are per namespace. A guest whose veth has the index of another guest's, and
     * whose peer, in a third namespace, has the index of that guest's host end, is not taken for the
     * owner of that host end: the peer must be in the host's namespace.
     */
    @Test
    void aPeerOfTheSameIndexInAnotherNamespaceIsNotTheHosts() {
        String victim = netns.create("victim");
        String liar = netns.create("liar");
        String far = netns.create("far");
        Sh.Result attach = Pipework.run(bridge, victim, "10.251.7.2/24");
        assertEquals(0, attach.code(), attach.describe());
        Map<String, Object> eth1 = IpJson.linkInNetns(victim, "eth1").orElseThrow();
        String guestIndex = eth1.get("ifindex").toString();
        String hostIndex = eth1.get("link_index").toString();
        String hostEnd = IpJson.hostLinkWithIndex(hostIndex);
        // In `far`, a veth with the index of the victim's host end; its peer in `liar`, named and
        // indexed as the victim's eth1.
        Sh.ok("ip", "-n", far, "link", "add", "name", "farend", "index", hostIndex, "type", "veth",
                "peer", "name", "eth1", "index", guestIndex, "netns", liar);
        assertEquals(Integer.valueOf(hostIndex), ((Number) IpJson.linkInNetns(liar, "eth1").orElseThrow()
                .get("link_index")).intValue());

        Sh.Result status = Pipework.run("status", liar);
        noTrace(status);
        assertFalse(status.out().contains(bridge), "the victim's attachment is not the liar's: " + status.describe());
        Sh.Result del = Pipework.run("del", "--all", liar);
        noTrace(del);
        assertTrue(IpJson.hostLinkExists(hostEnd), "the victim's host end is still there: " + del.describe());
        assertTrue(IpJson.linkInNetns(victim, "eth1").isPresent(), "the victim keeps its eth1");
        assertTrue(IpJson.linkInNetns(liar, "eth1").isPresent(), "the liar keeps its eth1");

        // The proof does not stand in the way of the real owner.
        Sh.Result own = Pipework.run("status", victim);
        assertTrue(own.out().contains(bridge), own.describe());
        Sh.Result ownDel = Pipework.run("del", "-i", "eth1", victim);
        assertEquals(0, ownDel.code(), ownDel.describe());
        assertFalse(IpJson.hostLinkExists(hostEnd), "the victim's own del removes its host end");
    }
}

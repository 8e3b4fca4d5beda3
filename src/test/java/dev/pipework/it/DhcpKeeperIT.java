package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import dev.pipework.it.support.DhcpServer;
import dev.pipework.it.support.Guest;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Reach;
import dev.pipework.it.support.Rig;
import dev.pipework.it.support.Sh;
import dev.pipework.json.Json;

/**
 * The lease keeper, for real: dnsmasq on a bridge of the test's own with 2-minute leases and its
 * DHCP log, Docker containers as guests. A kept client is found in {@code /proc} by its key
 * (which names its pid file) and the guest's namespace; its files under /var/lib/pipework/dhcp.
 * One server and one set of containers serve every test; the renewal's two clients are attached
 * first, and the test that waits for their renewal runs last, so that the other tests run during
 * that wait.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DhcpKeeperIT {
    private static final Path DIR = Path.of("/var/lib/pipework/dhcp");

    private Rig rig;
    private DhcpServer dhcp;
    private String serverless;
    private Guest renewU;
    private Guest renewD;
    /** udhcpc's and dhclient's leases as status showed them right after the attach, by guest name. */
    private final Map<String, Map<String, Object>> firstLeases = new java.util.HashMap<>();

    @BeforeAll
    void lan() throws IOException {
        require();
        Prerequisites.requireCommand("udhcpc");
        rig = new Rig();
        dhcp = DhcpServer.keeping(rig, false);
        // A bridge without a server ("br" + suffix is the server's).
        serverless = rig.host().createBridge("bn" + rig.suffix());
        renewU = rig.container("renewu");
        renewD = rig.container("renewd");
        Pipework.ok(dhcp.bridge(), renewU.name(), "udhcpc");
        Pipework.ok(dhcp.bridge(), renewD.name(), "dhclient");
        firstLeases.put(renewU.name(), lease(renewU));
        firstLeases.put(renewD.name(), lease(renewD));
    }

    @AfterAll
    void down() {
        try {
            if (renewU != null) {
                Pipework.run("del", renewU.name());
            }
            if (renewD != null) {
                Pipework.run("del", renewD.name());
            }
        } finally {
            try {
                if (dhcp != null) {
                    dhcp.close();
                }
            } finally {
                if (rig != null) {
                    rig.close();
                }
            }
        }
    }

    /**
     * A 2-minute lease renewed at half its time (about 60 s, counted from the class's start) by both
     * kept clients, udhcpc and dhclient, each keeping its address; status shows each lease with its
     * address, server and expiry (udhcpc's as its hook recorded it), the expiry moved on by the renewal.
     */
    @Test
    @Order(100)
    void bothClientsRenewTheirLeaseAndKeepTheirAddress() {
        Guest u = renewU;
        Guest d = renewD;
        String ua = address(u);
        String da = address(d);
        String umac = IpJson.field(IpJson.link(u.pid(), "eth1").orElseThrow(), "address");
        String dmac = IpJson.field(IpJson.link(d.pid(), "eth1").orElseThrow(), "address");
        assertEquals(1, clients(u).size(), "kept clients of " + u + ": " + clients(u));
        assertEquals(1, clients(d).size(), "kept clients of " + d + ": " + clients(d));

        Map<String, String> expiries = new java.util.HashMap<>();
        for (Guest g : List.of(u, d)) {
            Map<String, Object> lease = firstLeases.get(g.name());
            assertEquals(address(g), lease.get("address"), g + ": " + lease);
            assertEquals(DhcpServer.ADDRESS, lease.get("server"), g + ": " + lease);
            String expiry = (String) lease.get("expires");
            assertTrue(expiry != null && expiry.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), lease.toString());
            expiries.put(g.name(), expiry);
        }
        assertTrue(Pipework.ok("status", u.name()).out().contains(ua), "the text status shows no lease of udhcpc");

        // The first ACK is the lease; a second one for the same MAC and address is a renewal.
        boolean renewed = Poll.within(Duration.ofSeconds(100), Duration.ofSeconds(1),
                () -> dhcp.logged("DHCPACK", ua + " " + umac).size() >= 2
                        && dhcp.logged("DHCPACK", da + " " + dmac).size() >= 2);
        assertTrue(renewed, "no renewal within 100 s:\n" + dhcp.dhcpLog());
        assertEquals(ua, address(u), "udhcpc's address changed at renewal");
        assertEquals(da, address(d), "dhclient's address changed at renewal");
        for (Guest g : List.of(u, d)) {
            assertEquals(address(g), lease(g).get("address"), g + ": " + lease(g));
            assertTrue(Poll.within(Duration.ofSeconds(10), Poll.TICK,
                    () -> !expiries.get(g.name()).equals(lease(g).get("expires"))), "status shows the old expiry: " + lease(g));
        }
        assertEquals(List.of(), dhcp.logged("DHCPNAK", umac), "the server refused a renewal");
        assertEquals(List.of(), dhcp.logged("DHCPNAK", dmac), "the server refused a renewal");
    }

    /**
     * The kept client killed: the keeper starts it again within seconds, and the address stays. The
     * keeper meanwhile removes the files of a client no guest came back for (no record, untouched for
     * 3 h, its lease expired) and leaves those of one whose files are recent, and the live client's.
     */
    @Test
    @Order(1)
    void aKilledClientIsStartedAgainWithItsLease() throws IOException {
        String expired = "lease {\n  interface \"eth1\";\n  fixed-address 10.161.0.99;\n  expire 1 2020/01/06 00:00:00;\n}\n";
        String stale = String.format("%016x-eth1-v4", new java.util.Random().nextLong());
        String recent = String.format("%016x-eth1-v4", new java.util.Random().nextLong());
        List<Path> staleFiles = List.of(DIR.resolve(stale + ".leases"), DIR.resolve(stale + ".conf"));
        Path recentFile = DIR.resolve(recent + ".leases");
        Path oldArguments = DIR.resolve("udhcpc-hook-0123456789ab.args");
        Guest c = rig.container("killed");
        try {
            Pipework.ok(dhcp.bridge(), c.name(), "dhclient");
            for (Path f : staleFiles) {
                Files.writeString(f, expired);
                Sh.ok("touch", "-d", "3 hours ago", f.toString());
            }
            Files.writeString(recentFile, expired);
            // udhcpc's hook naming a Java that is gone (a JDK removed), and arguments nobody names any more.
            Path hook = DIR.resolve("udhcpc-hook");
            Files.writeString(hook, "#!/nonexistent/java-" + ProcessHandle.current().pid() + " @" + DIR
                    + "/udhcpc-hook-ffffffffffff.args\n\n");
            Files.writeString(oldArguments, "udhcpc-event\n");
            Sh.ok("touch", "-d", "3 hours ago", oldArguments.toString());
            String before = address(c);
            List<Long> first = clients(c);
            assertEquals(1, first.size(), "kept clients: " + first);
            Sh.ok("kill", "-9", Long.toString(first.get(0)));
            assertTrue(Poll.within(Duration.ofSeconds(20), Poll.TICK,
                    () -> clients(c).size() == 1 && !clients(c).equals(first)),
                    "the client was not started again: " + clients(c) + "\n" + keeperLog());
            assertEquals(before, address(c), "the address changed");
            // The keeper logs the restart once the new client runs: the log line may come a moment later.
            assertTrue(Poll.within(Duration.ofSeconds(10), Poll.TICK,
                    () -> keeperLog().contains("restarted dhclient for eth1 of " + c.name())), keeperLog());
            assertTrue(Poll.within(Duration.ofSeconds(5), Poll.TICK, () -> staleFiles.stream().noneMatch(Files::exists)),
                    "the stale files are left: " + staleFiles + "\n" + keeperLog());
            assertTrue(Files.exists(recentFile), "the keeper removed a recent lease file");
            assertTrue(Poll.within(Duration.ofSeconds(5), Poll.TICK, () -> hookNamesWhatIsThere(hook)),
                    "the hook was not written again:\n" + Files.readString(hook) + keeperLog());
            assertTrue(keeperLog().contains("udhcpc's hook named a Java or arguments that are gone"), keeperLog());
            assertTrue(Poll.within(Duration.ofSeconds(5), Poll.TICK, () -> !Files.exists(oldArguments)),
                    "arguments the hook does not name are left");
            assertTrue(files(c).stream().anyMatch(f -> f.toString().endsWith(".record")), "the live record went");
            assertTrue(files(c).stream().anyMatch(f -> f.toString().endsWith(".leases")), "the live lease file went");
        } finally {
            Files.deleteIfExists(recentFile);
            Files.deleteIfExists(oldArguments);
            for (Path f : staleFiles) {
                Files.deleteIfExists(f);
            }
            Pipework.run("del", c.name());
        }
    }

    /** The hook's first line names a Java and an arguments file that are there. */
    private static boolean hookNamesWhatIsThere(Path hook) {
        try {
            String[] w = Files.readString(hook).strip().substring(2).split(" @", 2);
            return w.length == 2 && Files.isExecutable(Path.of(w[0])) && Files.isRegularFile(Path.of(w[1]));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * {@code del}: DHCPRELEASE for each client's address in the server's log, no client left in
     * /proc, the keeper's files of that guest gone.
     */
    @Test
    @Order(2)
    void delReleasesTheLeasesAndLeavesNothing() throws IOException {
        Guest u = rig.container("delu");
        Guest d = rig.container("deld");
        Pipework.ok(dhcp.bridge(), u.name(), "udhcpc");
        Pipework.ok(dhcp.bridge(), d.name(), "dhclient");
        String ua = address(u);
        String da = address(d);
        List<Path> files = new ArrayList<>(files(u));
        files.addAll(files(d));
        assertTrue(files.stream().filter(f -> f.toString().endsWith(".leases")).count() == 2, "no lease file: " + files);

        Pipework.ok("del", u.name());
        Pipework.ok("del", d.name());
        assertTrue(Poll.within(Duration.ofSeconds(5), Poll.TICK, () -> !dhcp.logged("DHCPRELEASE", ua).isEmpty()
                && !dhcp.logged("DHCPRELEASE", da).isEmpty()), "no DHCPRELEASE:\n" + dhcp.dhcpLog());
        assertTrue(Poll.within(Duration.ofSeconds(5), Poll.TICK, () -> clients(u).isEmpty() && clients(d).isEmpty()),
                "clients left: " + clients(u) + " " + clients(d));
        // udhcpc's hook runs once more as the client stops (deconfig): it removes, never writes, a lease file.
        assertTrue(Poll.within(Duration.ofSeconds(5), Poll.TICK, () -> files.stream().noneMatch(Files::exists)),
                "files are left: " + files.stream().filter(Files::exists).toList());
        assertEquals(Optional.empty(), IpJson.link(u.pid(), "eth1"));
    }

    /**
     * The container restarted: the keeper stops the old client (which held the old namespace), and
     * the same attach gives the same address back (the same client ID, the same lease file).
     */
    @Test
    @Order(3)
    void aRestartedContainerGetsTheSameAddressBack() throws IOException {
        Guest c = rig.container("restart");
        try {
            Pipework.ok(dhcp.bridge(), c.name(), "dhclient");
            String before = address(c);
            List<Long> old = clients(c);
            assertEquals(1, old.size());
            Sh.ok(List.of("docker", "restart", "-t", "0", c.name()), Duration.ofSeconds(60));
            assertTrue(Poll.within(Duration.ofSeconds(10), Poll.TICK,
                    () -> !Files.exists(Path.of("/proc", Long.toString(old.get(0))))),
                    "the old client still runs after the restart\n" + keeperLog());
            Guest again = rig.reopened(c);
            Pipework.ok(dhcp.bridge(), again.name(), "dhclient");
            assertEquals(before, address(again), "another address after the restart:\n" + dhcp.dhcpLog());
            Pipework.ok("del", again.name());
        } finally {
            Pipework.run("del", c.name());
        }
    }

    /** No server: after --timeout 4, exit 1 saying so; no veth, no interface, no client, no file left. */
    @Test
    @Order(4)
    void noServerExitsOneAndLeavesNothing() throws IOException {
        String br = serverless;
        for (String client : List.of("dhclient", "udhcpc")) {
            Guest c = rig.container("none" + client.charAt(0));
            long t0 = System.nanoTime();
            Sh.Result r = Pipework.run(List.of("--timeout", "4", br, c.name(), client), Duration.ofSeconds(60));
            long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
            assertEquals(1, r.code(), r.describe());
            assertTrue(r.err().contains("no DHCP lease within 4 s (" + client + " on \"eth1\")"), r.describe());
            assertTrue(seconds < 30, "took " + seconds + " s");
            assertEquals(Optional.empty(), IpJson.link(null, "veth1pl" + c.pid()), "the veth is left");
            assertEquals(Optional.empty(), IpJson.link(c.pid(), "eth1"), "eth1 is left");
            assertEquals(List.of(), clients(c), "a client is left");
            assertEquals(List.of(), files(c), "files are left");
        }
    }

    /**
     * A guest that lies: files where the original kept its pid and lease files, and in its own
     * /var/lib/pipework/dhcp, naming a bystander process and another address. status shows the
     * real lease; del stops only the kept client, and the bystander lives on.
     */
    @Test
    @Order(5)
    void aGuestsFakeFilesChangeNothing() throws IOException {
        Guest c = rig.container("liar");
        Process bystander = new ProcessBuilder("sleep", "300").start();
        try {
            Pipework.ok(dhcp.bridge(), c.name(), "dhclient");
            String real = address(c);
            String key = files(c).get(0).getFileName().toString().replaceAll("\\.[a-z]+$", "");
            String fake = "lease {\n  interface \"eth1\";\n  fixed-address 10.99.99.99;\n"
                    + "  option dhcp-server-identifier 10.99.99.1;\n  expire 1 2099/01/01 00:00:00;\n}\n";
            c.exec("sh", "-c", "mkdir -p /var/lib/pipework/dhcp /etc/dhclient && echo " + bystander.pid()
                    + " > /var/lib/pipework/dhcp/" + key + ".pid && echo " + bystander.pid() + " > /var/run/dhclient."
                    + c.name() + ".pid && printf '%s' '" + fake + "' > /var/lib/pipework/dhcp/" + key + ".leases");
            assertEquals(real, lease(c).get("address"), "status believed the guest's lease file");
            assertEquals(DhcpServer.ADDRESS, lease(c).get("server"));
            Pipework.ok("del", c.name());
            assertTrue(bystander.isAlive(), "del stopped the process the guest's pid file named");
            assertTrue(Poll.within(Duration.ofSeconds(5), Poll.TICK, () -> clients(c).isEmpty()));
            assertEquals(List.of(), files(c));
        } finally {
            bystander.destroy();
            Pipework.run("del", c.name());
        }
    }

    /**
     * IPv6 beside DHCPv4: {@code dhclient,dhcp6} gets a stateful DHCPv6 address of fd61::/64,
     * {@code udhcpc,slaac} an address of the advertised fd62::/64; both are reachable from the LAN
     * namespace, shown by status, and del releases the DHCPv6 lease. A server of its own (DHCPv6 and
     * advertisements) on a bridge of its own. The CNI plugin's results show the DHCPv6 and SLAAC
     * addresses.
     */
    @Test
    @Order(6)
    void dhcp6AndSlaacBesideDhcp4() throws IOException {
        try (Rig six = new Rig(); DhcpServer dhcp = DhcpServer.keeping(six, true)) {
            Guest s = six.container("slaac");
            Guest d = six.container("dhcp6");
            try {
                Pipework.ok("--timeout", "30", dhcp.bridge(), d.name(), "dhclient,dhcp6");
                Sh.Result r = Pipework.ok("--json", "--timeout", "30", dhcp.bridge(), s.name(), "udhcpc,slaac");
                String v6s = global6(s, DhcpServer.V6_SLAAC);
                String v6d = global6(d, DhcpServer.V6_STATEFUL);
                assertTrue(r.out().contains(v6s), "the --json result does not show " + v6s + ": " + r.out());
                address(s);
                address(d);
                assertTrue(Reach.eventuallyFromNetns(dhcp.namespace(), v6s), v6s + " is not reachable from the LAN");
                assertTrue(Reach.eventuallyFromNetns(dhcp.namespace(), v6d), v6d + " is not reachable from the LAN");
                assertTrue(Pipework.ok("status", s.name()).out().contains(v6s));
                List<Object> leases = Json.array(Json.at(attachment(d), "interface", "leases"));
                assertEquals(2, leases.size(), leases.toString());
                assertEquals(v6d, Json.object(leases.get(1)).get("address"));
                assertEquals("inet6", Json.object(leases.get(1)).get("family"));

                Pipework.ok("del", d.name());
                assertTrue(Poll.within(Duration.ofSeconds(5), Poll.TICK, () -> dhcp.dhcpLog().contains("DHCPRELEASE")
                        && dhcp.dhcpLog().lines().anyMatch(l -> l.contains("release received"))),
                        "no DHCPv6 release:\n" + dhcp.dhcpLog());
                assertEquals(List.of(), clients(d));

                // The CNI plugin's results carry the IPv6 addresses too: dual stack by dhclient and DHCPv6, SLAAC alone.
                for (String[] form : List.of(new String[] {"dhclient", "dhcp6", DhcpServer.V6_STATEFUL},
                        new String[] {"none", "slaac", DhcpServer.V6_SLAAC})) {
                    String ns = six.netns().create("cni" + form[1]);
                    String path = "/var/run/netns/" + ns;
                    String id = "cni" + form[1] + six.suffix();
                    String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"pw" + form[1] + six.suffix()
                            + "\",\"type\":\"pipework\",\"bridge\":\"" + dhcp.bridge() + "\",\"ipam\":{\"type\":"
                            + "\"pipework-dhcp\",\"client\":\"" + form[0] + "\",\"ipv6\":\"" + form[1] + "\",\"timeout\":30}}";
                    try {
                        Map<String, Object> result = dev.pipework.it.support.Cni.add(id, path, "eth0", conf);
                        List<String> ips = Json.array(result.get("ips")).stream()
                                .map(i -> (String) Json.object(i).get("address")).toList();
                        assertTrue(ips.stream().anyMatch(a -> a.startsWith(form[2])), form[1] + ": " + Json.write(result));
                        assertEquals(form[0].equals("dhclient"), ips.stream().anyMatch(a -> a.startsWith("10.161.0.")),
                                form[1] + ": " + Json.write(result));
                    } finally {
                        dev.pipework.it.support.Cni.run("DEL", id, path, "eth0", conf);
                    }
                }
            } finally {
                Pipework.run("del", s.name());
                Pipework.run("del", d.name());
            }
        }
    }

    /**
     * The CNI plugin with {@code "ipam": {"type": "pipework-dhcp"}}: no IPAM plugin and no daemon to
     * run; ADD returns the leased address, a kept client renews it, DEL releases it and leaves no
     * client, and a second ADD of the same container ID gets the same address again. Without a server, ADD
     * fails with the CNI error object (code 101, the bound's message) and leaves nothing.
     */
    @Test
    @Order(7)
    void cniAddWithPipeworkDhcpKeepsTheLeaseAndDelReleasesIt() throws IOException {
        String ns = rig.netns().create("cnidhcp");
        String path = "/var/run/netns/" + ns;
        String id = "cnidhcp" + rig.suffix();
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"pwdhcp" + rig.suffix() + "\",\"type\":\"pipework\","
                + "\"bridge\":\"" + dhcp.bridge() + "\",\"ipam\":{\"type\":\"pipework-dhcp\",\"timeout\":30}}";
        try {
            Map<String, Object> result = dev.pipework.it.support.Cni.add(id, path, "eth0", conf);
            String address = (String) Json.object(Json.array(result.get("ips")).get(0)).get("address");
            assertTrue(address.startsWith("10.161.0.") && address.endsWith("/24"), Json.write(result));
            assertEquals(1, nsClients(path).size(), "kept clients in " + ns + ": " + nsClients(path));

            Sh.Result del = dev.pipework.it.support.Cni.run("DEL", id, path, "eth0", conf);
            assertEquals(0, del.code(), del.describe());
            String bare = address.split("/")[0];
            assertTrue(Poll.within(Duration.ofSeconds(5), Poll.TICK, () -> !dhcp.logged("DHCPRELEASE", bare).isEmpty()),
                    "no DHCPRELEASE:\n" + dhcp.dhcpLog());
            assertTrue(Poll.within(Duration.ofSeconds(5), Poll.TICK, () -> nsClients(path).isEmpty()), "a client is left");

            Map<String, Object> again = dev.pipework.it.support.Cni.add(id, path, "eth0", conf);
            // The same container ID is the same client ID (and the same MAC): the same address back.
            assertEquals(address, Json.object(Json.array(again.get("ips")).get(0)).get("address"),
                    Json.write(again) + "\n" + dhcp.dhcpLog());
            assertEquals(1, nsClients(path).size());
        } finally {
            dev.pipework.it.support.Cni.run("DEL", id, path, "eth0", conf);
        }

        String lonely = rig.netns().create("cninone");
        String lonelyPath = "/var/run/netns/" + lonely;
        String none = "{\"cniVersion\":\"1.0.0\",\"name\":\"pwnone" + rig.suffix() + "\",\"type\":\"pipework\","
                + "\"bridge\":\"" + serverless + "\",\"ipam\":{\"type\":\"pipework-dhcp\",\"timeout\":3}}";
        Sh.Result failed = dev.pipework.it.support.Cni.run("ADD", "cninone" + rig.suffix(), lonelyPath, "eth0", none);
        assertTrue(failed.code() != 0, failed.describe());
        Map<String, Object> error = Json.object(Json.parse(failed.out()));
        assertEquals(101L, ((Number) error.get("code")).longValue(), failed.describe());
        assertTrue(String.valueOf(error.get("msg")).contains("no DHCP lease within 3 s (dhclient on \"eth0\")"),
                failed.describe());
        assertEquals(List.of(), nsClients(lonelyPath), "a client is left");
        assertEquals(Optional.empty(), IpJson.linkInNetns(lonely, "eth0"), "eth0 is left");
        try (DirectoryStream<Path> records = Files.newDirectoryStream(DIR, "*.record")) {
            for (Path r : records) {
                assertFalse(Files.readString(r).contains("netnsFile=" + lonelyPath), "a record is left: " + r);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Kept clients (their pid file under /var/lib/pipework/dhcp) in the namespace of that file. */
    private static List<Long> nsClients(String netnsPath) {
        List<Long> found = new ArrayList<>();
        try {
            Object inode = Files.getAttribute(Path.of(netnsPath), "unix:ino");
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"),
                    p -> p.getFileName().toString().matches("[0-9]+"))) {
                for (Path p : procs) {
                    try {
                        String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                        String stat = Files.readString(p.resolve("stat"));
                        if (cmdline.startsWith("dhclient") && cmdline.contains(DIR.toString())
                                && stat.charAt(stat.lastIndexOf(')') + 2) != 'Z'
                                && Files.getAttribute(p.resolve("ns/net"), "unix:ino").equals(inode)) {
                            found.add(Long.parseLong(p.getFileName().toString()));
                        }
                    } catch (IOException | RuntimeException e) {
                        // ended while read
                    }
                }
            }
        } catch (IOException e) {
            return found;
        }
        return found;
    }

    private static void require() {
        Prerequisites.requireDocker();
        Prerequisites.requireCommand("dnsmasq");
        Prerequisites.requireCommand("dhclient");
    }

    /** The one IPv4 address of eth1, from the pool, without its prefix. */
    private static String address(Guest c) {
        List<String> v4 = IpJson.ipv4(c.pid(), "eth1");
        assertEquals(1, v4.size(), "eth1 of " + c + ": " + v4);
        String a = v4.get(0).split("/")[0];
        assertTrue(a.startsWith("10.161.0."), a);
        return a;
    }

    /** The global IPv6 address of eth1 in that prefix, waited for (SLAAC's comes with an advertisement). */
    private static String global6(Guest c, String prefix) {
        return Poll.until(Duration.ofSeconds(20), Poll.TICK, () -> Json.array(IpJson.ip(c.pid(), "-6", "addr", "show", "dev", "eth1"))
                .stream().flatMap(l -> Json.array(Json.object(l).get("addr_info")).stream())
                .map(Json::object).map(a -> (String) a.get("local"))
                .filter(a -> a != null && a.startsWith(prefix)).findFirst(), "an address of " + prefix + " on " + c);
    }

    private static Map<String, Object> attachment(Guest c) {
        Map<String, Object> doc = Json.object(Json.parse(Pipework.ok("status", c.name(), "--json").out()));
        return Json.object(Json.array(doc.get("attachments")).get(0));
    }

    /** The first lease status shows for the guest's eth1. */
    private static Map<String, Object> lease(Guest c) {
        Object leases = Json.at(attachment(c), "interface", "leases");
        assertTrue(leases != null, "status shows no lease for " + c);
        return Json.object(Json.array(leases).get(0));
    }

    /**
     * The kept clients of the guest: live processes named udhcpc or dhclient whose command line
     * names a pid file under /var/lib/pipework/dhcp and which live in the guest's namespace, or
     * whose pid file is one of the guest's.
     */
    private static List<Long> clients(Guest c) {
        List<Long> found = new ArrayList<>();
        String netns;
        try {
            netns = Files.readSymbolicLink(Path.of("/proc/" + c.pid() + "/ns/net")).toString();
        } catch (IOException e) {
            netns = "-";
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"),
                p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path p : procs) {
                try {
                    String comm = Files.readString(p.resolve("comm")).strip();
                    if (!comm.equals("udhcpc") && !comm.equals("dhclient")) {
                        continue;
                    }
                    String stat = Files.readString(p.resolve("stat"));
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (state == 'Z' || !cmdline.contains(DIR.toString())) {
                        continue;
                    }
                    if (Files.readSymbolicLink(p.resolve("ns/net")).toString().equals(netns)) {
                        found.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException e) {
                    // ended while read
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return found;
    }

    /** The keeper's files naming the guest: those whose record names its namespace, and their siblings. */
    private static List<Path> files(Guest c) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(DIR)) {
            return found;
        }
        String key = "-";
        try (DirectoryStream<Path> records = Files.newDirectoryStream(DIR, "*.record")) {
            for (Path r : records) {
                if (Files.readString(r).contains("hostname=" + c.name() + "\n")) {
                    key = r.getFileName().toString().replace("-eth1-v4.record", "").replace("-eth1-v6.record", "");
                }
            }
        }
        String identity = key.equals("-") ? identity(c) : key;
        try (DirectoryStream<Path> all = Files.newDirectoryStream(DIR, identity + "-*")) {
            all.forEach(found::add);
        }
        found.sort(null);
        return found;
    }

    /** The identity pipework gives the guest: the first 8 bytes of SHA-256("name:" + name), in hex. */
    private static String identity(Guest c) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(("name:" + c.name())
                    .getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String keeperLog() {
        try {
            return Files.readString(DIR.resolve("keeper.log"));
        } catch (IOException e) {
            return "(no keeper log)";
        }
    }
}

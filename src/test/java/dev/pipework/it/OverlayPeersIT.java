package dev.pipework.it;

import dev.pipework.it.support.EtcdCluster;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Reach;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Overlays whose peers are kept in etcd ({@code peers etcd}, {@code pipework overlay keep}):
 * "hosts" are network namespaces on a switched underlay, as in {@link OverlayIT}; the three-member
 * etcd runs in the switch's namespace, on an underlay address the hosts reach. Each host runs its
 * own keeper ({@code ip netns exec <host> pipework overlay keep}) with a name of its own
 * ({@code PIPEWORK_HOST}) and a lease of 2 s ({@code PIPEWORK_OVERLAY_TTL}).
 */
class OverlayPeersIT {
    private static final String TTL = "2";
    private static final String[] UNDERLAY = {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"};
    private static final String ETCD_ADDRESS = "192.0.2.254";

    private TestNetns netns;
    private EtcdCluster etcd;
    private final String[] hosts = new String[4];
    private final String[] guests = new String[4];
    private final Process[] keepers = new Process[4];
    /** Each host's overlay bridge, named apart: one VNI joins them, and each host's runs lock its own. */
    private final String[] bridges = new String[4];
    private Path pools;

    private Map<String, String> env(int host) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PIPEWORK_POOLS", pools.toString());
        env.put("PIPEWORK_HOST", "h" + (host + 1));
        env.put("PIPEWORK_OVERLAY_TTL", TTL);
        return env;
    }

    private List<String> inHost(int host, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", hosts[host]));
        argv.addAll(Pipework.command(List.of(args)));
        return argv;
    }

    private Sh.Result pipework(int host, String... args) {
        return Sh.run(inHost(host, args), Pipework.DEFAULT_TIMEOUT, null, env(host));
    }

    private void pipeworkOk(int host, String... args) {
        Sh.Result r = pipework(host, args);
        assertEquals(0, r.code(), "in h" + (host + 1) + ": pipework " + String.join(" ", args) + ": " + r.describe());
    }

    /** Host {@code i}: on the switch, its overlay (peers etcd) and a guest on it; its keeper not yet started. */
    private void host(int i, String sw, String suffix) {
        hosts[i] = netns.create("h" + (i + 1));
        String here = "u" + (i + 1) + suffix;
        String there = "s" + (i + 1) + suffix;
        netns.vethBetween(hosts[i], here, sw, there);
        netns.ok(hosts[i], "ip", "link", "set", here, "down");
        netns.ok(hosts[i], "ip", "link", "set", here, "name", "under0");
        netns.ok(hosts[i], "ip", "link", "set", "under0", "up");
        netns.addAddress(hosts[i], "under0", UNDERLAY[i] + "/24");
        netns.ok(sw, "ip", "link", "set", there, "master", "sw");
        bridges[i] = "br" + suffix + (i + 1);
        pipeworkOk(i, "overlay", "add", bridges[i], "vni", "42", "underlay", "under0", "peers", "etcd");
        guests[i] = netns.create("g" + (i + 1));
        pipeworkOk(i, bridges[i], guests[i], "10.42.0." + (i + 1) + "/24");
    }

    private void startKeeper(int i) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(inHost(i, "overlay", "keep", "-v")).redirectErrorStream(true)
                .redirectOutput(etcd.dir().resolve("keeper-h" + (i + 1) + ".log").toFile());
        pb.environment().putAll(env(i));
        keepers[i] = pb.start();
    }

    private String keeperLog(int i) throws Exception {
        return Files.readString(etcd.dir().resolve("keeper-h" + (i + 1) + ".log"));
    }

    private String floods(int host) {
        return netns.ok(hosts[host], "bridge", "fdb", "show", "dev", "vx-" + bridges[host]).out();
    }

    private boolean registered(int host) {
        return etcd.range(0, "pipework/overlay/42/h" + (host + 1)).orElse("").contains("\"kvs\"");
    }

    /** One ping, answered within 200 ms. */
    private static boolean ping(String ns, String ip) {
        return Sh.run("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "0.2", ip).code() == 0;
    }

    /**
     * {@code ping} from namespace {@code ns} every 20 ms until destroyed, each reply stamped with the
     * wall clock ({@code -D}) in {@code out}.
     */
    private static Process pingEvery20ms(String ns, String ip, Path out) throws java.io.IOException {
        return new ProcessBuilder("ip", "netns", "exec", ns, "ping", "-D", "-n", "-i", "0.02", "-W", "1", ip)
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    /** The wall-clock millisecond of the first reply {@link #pingEvery20ms} wrote, once one has come. */
    private static Optional<Long> firstReply(Path out) {
        try {
            for (String line : Files.readAllLines(out)) {
                // [1765000000.123456] 64 bytes from 10.42.0.4: icmp_seq=7 ttl=64 time=0.071 ms
                if (line.startsWith("[") && line.contains(" bytes from ")) {
                    return Optional.of(Math.round(Double.parseDouble(line.substring(1, line.indexOf(']'))) * 1000));
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not written yet
        }
        return Optional.empty();
    }

    /** Guest {@code i}'s MAC on the overlay, for the others' static neighbour entries. */
    private String mac(int i) {
        return netns.ok(guests[i], "cat", "/sys/class/net/eth1/address").trimmed();
    }

    @Test
    void peersFollowEtcdAsHostsJoinAndDie() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireCommand("bridge");
        Prerequisites.requireCommand("curl");
        String suffix = HostCleanup.uniqueSuffix();
        netns = new TestNetns();
        try {
            String sw = netns.create("sw");
            netns.ok(sw, "ip", "link", "add", "sw", "type", "bridge");
            netns.ok(sw, "ip", "link", "set", "sw", "up");
            netns.ok(sw, "ip", "link", "set", "lo", "up");
            netns.addAddress(sw, "sw", ETCD_ADDRESS + "/24");
            etcd = EtcdCluster.start(Optional.of(sw), ETCD_ADDRESS);
            pools = etcd.dir().resolve("pools");
            Files.writeString(pools, "store = " + etcd.store() + "\n");

            // The three first hosts made side by side: each is a few pipework runs of its own.
            java.util.concurrent.ExecutorService setUp = java.util.concurrent.Executors.newFixedThreadPool(3);
            try {
                List<java.util.concurrent.Future<?>> made = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    int h = i;
                    made.add(setUp.submit(() -> host(h, sw, suffix)));
                }
                for (java.util.concurrent.Future<?> f : made) {
                    f.get();
                }
            } finally {
                setUp.shutdown();
            }
            for (int i = 0; i < 3; i++) {
                startKeeper(i);
            }
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    if (i != j) {
                        assertTrue(Reach.eventuallyFromNetns(guests[i], "10.42.0." + (j + 1)),
                                "guest " + (i + 1) + " reaches guest " + (j + 1) + " over peers from etcd: " + keeperLog(i));
                    }
                }
            }
            String fdb = floods(0);
            assertTrue(fdb.contains("00:00:00:00:00:00 dst 192.0.2.2") && fdb.contains("00:00:00:00:00:00 dst 192.0.2.3"),
                    fdb);
            assertTrue(pipework(0, "status").out().contains(" etcd"), "status shows the overlay's peers as etcd's");

            // A registration that is no address of the underlay's family: ignored, and logged.
            Sh.ok("ip", "netns", "exec", sw, "curl", "-sf", "-m", "2", "-X", "POST", "-d",
                    "{\"key\":\"" + EtcdCluster.b64("pipework/overlay/42/evil") + "\",\"value\":\""
                            + EtcdCluster.b64("fd00::1;rm -rf /") + "\"}",
                    "http://" + ETCD_ADDRESS + ":" + etcd.clientPort(0) + "/v3/kv/put");
            Poll.until(Duration.ofSeconds(5), Duration.ofMillis(50), () -> {
                try {
                    return Optional.of(keeperLog(0)).filter(l -> l.contains("peer ignored: host \"evil\""));
                } catch (Exception e) {
                    return Optional.empty();
                }
            }, "the keeper logs the value it ignores");
            assertTrue(keeperLog(0).contains("registered \"fd00::1;rm -rf /\", which is not an IPv4 address"),
                    keeperLog(0));
            assertEquals(2, floods(0).lines().filter(l -> l.startsWith("00:00:00:00:00:00")).count(), floods(0));

            // A fourth host joins: reachable within a second of registering. The guests know each
            // other's MACs, so that no ARP retry (1 s apart) hides when the tunnels are in place. The
            // registration is stamped as etcd's watch brings it (as it brings it to the keepers), and
            // each guest pings the other every 20 ms from before the keeper starts: the first reply's
            // stamp (ping -D, the wall clock) is when the path opened, and a failed ping's wait or the
            // start of the next is no part of the figure.
            host(3, sw, suffix);
            netns.ok(guests[0], "ip", "neigh", "replace", "10.42.0.4", "lladdr", mac(3), "dev", "eth1", "nud", "permanent");
            netns.ok(guests[3], "ip", "neigh", "replace", "10.42.0.1", "lladdr", mac(0), "dev", "eth1", "nud", "permanent");
            Path[] replies = {etcd.dir().resolve("ping-h1-h4"), etcd.dir().resolve("ping-h4-h1")};
            Process[] pings = {pingEvery20ms(guests[0], "10.42.0.4", replies[0]),
                    pingEvery20ms(guests[3], "10.42.0.1", replies[1])};
            try (EtcdCluster.Watch registration = etcd.watch(0, "pipework/overlay/42/h4")) {
                long keeperStarted = System.currentTimeMillis();
                startKeeper(3);
                long registeredAt = Poll.until(Duration.ofSeconds(30), Duration.ofMillis(10), registration::firstChange,
                        "h4 registered");
                long[] firstReplies = Poll.until(Duration.ofSeconds(10), Duration.ofMillis(20), () -> {
                    Optional<Long> there = firstReply(replies[0]);
                    Optional<Long> back = firstReply(replies[1]);
                    return there.isPresent() && back.isPresent()
                            ? Optional.of(new long[] {there.get(), back.get()}) : Optional.empty();
                }, "h4 reachable both ways");
                // Nothing reached h4 before its keeper ran: the figure is of the path the keepers opened.
                assertTrue(Math.min(firstReplies[0], firstReplies[1]) >= keeperStarted,
                        "a reply before h4's keeper started: " + Files.readString(replies[0]) + Files.readString(replies[1]));
                long reachableMs = Math.max(firstReplies[0], firstReplies[1]) - registeredAt;
                System.out.println("OverlayPeersIT: h4 reachable both ways " + reachableMs + " ms after its registration"
                        + " reached a watcher (h1 to h4 " + (firstReplies[0] - registeredAt) + ", h4 to h1 "
                        + (firstReplies[1] - registeredAt) + ")");
                assertTrue(reachableMs < 1000, "reachable within a second of registering, took " + reachableMs + " ms: "
                        + keeperLog(0) + keeperLog(3));
            } finally {
                for (Process ping : pings) {
                    ping.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }

            // A host killed: its entries are gone once its lease expires.
            keepers[1].descendants().forEach(ProcessHandle::destroyForcibly);
            keepers[1].destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long killedAt = System.nanoTime();
            Poll.until(Duration.ofSeconds(10), Duration.ofMillis(20), () -> Optional.of(true)
                    .filter(t -> !floods(0).contains("dst 192.0.2.2 ") && !floods(2).contains("dst 192.0.2.2 ")
                            && !floods(3).contains("dst 192.0.2.2 ")), "h2's entries gone");
            long goneMs = (System.nanoTime() - killedAt) / 1_000_000;
            System.out.println("OverlayPeersIT: h2's entries gone " + goneMs + " ms after its keeper was killed (TTL " + TTL
                    + " s)");
            assertFalse(registered(1), "h2's registration went with its lease");
            assertTrue(floods(0).contains("dst 192.0.2.3 ") && floods(0).contains("dst 192.0.2.4 "), floods(0));
            assertTrue(ping(guests[0], "10.42.0.3"), "the others still reach each other");

            // A keeper stopped (SIGTERM) gives its lease back: h3 is dropped at once, not at the TTL's end.
            keepers[2].destroy();
            assertEquals(0, keepers[2].waitFor(30, TimeUnit.SECONDS) ? keepers[2].exitValue() : -1, keeperLog(2));
            assertFalse(registered(2), "h3's registration went with its lease, given back");
        } finally {
            for (Process k : keepers) {
                if (k != null) {
                    k.descendants().forEach(ProcessHandle::destroyForcibly);
                    k.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            if (etcd != null) {
                etcd.close();
            }
            netns.close();
        }
    }

    /** {@code peers etcd} without an etcd store: refused before any change, in one line. */
    @Test
    void peersEtcdWithoutAStoreIsRefused() throws Exception {
        Prerequisites.requireRoot();
        try (TestNetns ns = new TestNetns()) {
            String host = ns.create("h");
            ns.ok(host, "ip", "link", "add", "under0", "type", "veth", "peer", "name", "under1");
            ns.ok(host, "ip", "link", "set", "under0", "up");
            ns.addAddress(host, "under0", "192.0.2.1/24");
            String before = ns.ok(host, "ip", "-o", "link").out();
            Path file = Files.createTempFile("pipework-pools", "");
            try {
                Files.writeString(file, "store = file:/nonexistent\n");
                List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", host));
                argv.addAll(Pipework.command(List.of("overlay", "add", "br42", "vni", "42", "underlay", "under0",
                        "peers", "etcd")));
                for (List<String> words : List.of(argv, keepArgv(host))) {
                    Sh.Result r = Sh.run(words, Pipework.DEFAULT_TIMEOUT, null, Map.of("PIPEWORK_POOLS", file.toString()));
                    assertNotEquals(0, r.code(), r.describe());
                    assertEquals(1, r.err().strip().lines().count(), r.describe());
                    assertTrue(r.err().startsWith("pipework: peers etcd: no etcd store is configured"), r.describe());
                }
            } finally {
                Files.deleteIfExists(file);
            }
            assertEquals(before, ns.ok(host, "ip", "-o", "link").out(), "no link was made");
        }
    }

    private static List<String> keepArgv(String host) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", host));
        argv.addAll(Pipework.command(List.of("overlay", "keep")));
        return argv;
    }
}

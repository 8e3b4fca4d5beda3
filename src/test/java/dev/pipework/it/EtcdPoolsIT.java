package dev.pipework.it;

import dev.pipework.it.support.EtcdCluster;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Poll;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The etcd store for real: a three-member cluster on loopback ports of this run (data under
 * /dev/shm), three "hosts" (processes with their own {@code PIPEWORK_HOST}) claiming from one pool
 * through the {@code Ipam} an attach uses. The phases share the cluster and run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdPoolsIT {
    private static final Pattern KV = Pattern.compile("\"key\":\"([^\"]*)\"[^}]*?\"value\":\"([^\"]*)\"");
    private static EtcdCluster etcd;
    private static Path dir;
    private static String store;

    @BeforeAll
    static void cluster() throws Exception {
        etcd = EtcdCluster.start();
        dir = etcd.dir();
        store = etcd.store();
        Files.writeString(dir.resolve("pools"), "store = " + store + "\ncooldown = 1\npool lan 10.252.0.0/22\n");
    }

    @AfterAll
    static void stop() {
        if (etcd != null) {
            etcd.close();
        }
    }

    /** The pool's keys (address) and values, read through member {@code m}. */
    private static Map<String, String> keys(int m) {
        String body = etcd.range(m, "pipework/ipam/lan/").orElseThrow(() -> new AssertionError("member " + m + " did not answer"));
        Map<String, String> kv = new HashMap<>();
        Matcher x = KV.matcher(body);
        while (x.find()) {
            String key = new String(Base64.getDecoder().decode(x.group(1)), StandardCharsets.UTF_8);
            kv.put(key.substring("pipework/ipam/lan/".length()),
                    new String(Base64.getDecoder().decode(x.group(2)), StandardCharsets.UTF_8));
        }
        return kv;
    }

    private static List<String> host(String host, String prefix, int count, String... more) {
        List<String> argv = new ArrayList<>(List.of("env", "PIPEWORK_HOST=" + host, Pipework.java(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.pipework.it.support.AllocateSeries", dir.resolve("pools").toString(), store, "lan", prefix,
                Integer.toString(count)));
        argv.addAll(List.of(more));
        return argv;
    }

    /** 300 claims by three hosts at once, one member killed during them: each address once, none lost. */
    @Test
    @Order(1)
    void threeHostsRaceThreeHundredClaimsWhileAMemberDies() throws Exception {
        ExecutorService runs = Executors.newFixedThreadPool(3);
        List<Future<Sh.Result>> done = new ArrayList<>();
        for (String h : new String[] {"hostA", "hostB", "hostC"}) {
            done.add(runs.submit(() -> Sh.run(host(h, h, 100), Duration.ofSeconds(90))));
        }
        Poll.until(Duration.ofSeconds(60), Duration.ofMillis(50),
                () -> java.util.Optional.of(true).filter(t -> keys(0).size() >= 100), "100 claims");
        etcd.kill(2);
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            Sh.Result r = done.get(i).get();
            assertEquals(0, r.code(), r.describe());
            for (String line : r.out().lines().toList()) {
                String address = line.split(" ")[1];
                String was = given.put(address, "host" + (char) ('A' + i));
                assertEquals(null, was, "address " + address + " given twice");
            }
        }
        runs.shutdown();
        assertEquals(300, given.size());
        List<Integer> ms = new ArrayList<>();
        for (Future<Sh.Result> f : done) {
            f.get().out().lines().forEach(l -> ms.add(Integer.parseInt(l.split(" ")[2])));
        }
        java.util.Collections.sort(ms);
        System.out.println("etcd claim and confirm, 3 hosts racing: median " + ms.get(150) + " ms, 90th percentile "
                + ms.get(270) + " ms");
        Map<String, String> kept = keys(0);
        assertEquals(given.keySet(), kept.keySet(), "the store keeps exactly the addresses given");
        for (Map.Entry<String, String> e : given.entrySet()) {
            String value = kept.get(e.getKey());
            assertTrue(value.contains("\"host\":\"" + e.getValue() + "\"") && value.contains("\"state\":\"held\""),
                    e.getKey() + ": " + value);
        }
    }

    /** Two members down: a clear one-line error naming the members, nothing kept; back: claims resume. */
    @Test
    @Order(2)
    void withoutQuorumAClaimFailsCleanlyAndResumesWhenMembersAreBack() throws Exception {
        assumeTrue(!etcd.member(2).isAlive() && keys(0).size() == 300, "the race left its state");
        etcd.kill(1);
        long t0 = System.nanoTime();
        Sh.Result r = Sh.run(host("hostA", "quorum", 1), Duration.ofSeconds(60));
        long took = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(1, r.code(), r.describe());
        String line = r.out().strip();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.startsWith("error etcd store " + store + ": no member answered ("), line);
        for (int m = 0; m < EtcdCluster.SIZE; m++) {
            assertTrue(line.contains("127.0.0.1:" + etcd.clientPort(m) + ": "), line);
        }
        Sh.Result ls = Pipework.run(List.of("pool", "ls"), Duration.ofSeconds(60),
                Map.of("PIPEWORK_POOLS", dir.resolve("pools").toString()));
        assertEquals(1, ls.code(), ls.describe());
        assertTrue(ls.err().strip().startsWith("pipework: etcd store " + store + ": no member answered")
                && ls.err().strip().lines().count() == 1, ls.describe());
        etcd.start(1);
        etcd.start(2);
        for (int m = 0; m < EtcdCluster.SIZE; m++) {
            etcd.awaitMember(m);
        }
        assertEquals(300, keys(1).size(), "the claim without quorum left nothing");
        Sh.Result back = Sh.run(host("hostB", "back", 3), Duration.ofSeconds(60));
        assertEquals(0, back.code(), back.describe());
        assertEquals(303, keys(2).size());
        System.out.println("claim without quorum failed in " + took + " ms (process included)");
    }

    /** A host killed holding claims: another host never takes them; its own next run finds them gone. */
    @Test
    @Order(3)
    void aDeadHostsClaimsAreReclaimedByItselfOnly() throws Exception {
        Process hang = new ProcessBuilder(host("hostC", "dying", 3, "hang")).redirectErrorStream(true).start();
        List<String> claimed = new ArrayList<>();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(hang.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null && !line.equals("claimed"); line = out.readLine()) {
                assertTrue(line.startsWith("ok "), line);
                claimed.add(line.split(" ")[1]);
            }
        } finally {
            hang.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals(3, claimed.size());
        Sh.Result other = Sh.run(host("hostB", "other", 3), Duration.ofSeconds(60));
        assertEquals(0, other.code(), other.describe());
        Map<String, String> kv = keys(0);
        for (String a : claimed) {
            assertFalse(other.out().contains("ok " + a + " "), a + " taken by another host: " + other.out());
            assertTrue(kv.get(a).contains("\"host\":\"hostC\"") && kv.get(a).contains("\"state\":\"claimed\""), kv.get(a));
        }
        Sh.Result own = Sh.run(host("hostC", "again", 1), Duration.ofSeconds(60));
        assertEquals(0, own.code(), own.describe());
        kv = keys(0);
        for (String a : claimed) {
            assertFalse(own.out().contains("ok " + a + " "), a + " given again before its cooldown: " + own.out());
            assertTrue(kv.get(a).contains("\"host\":\"hostC\"") && kv.get(a).contains("\"state\":\"cooling\""), kv.get(a));
        }
        Set<String> all = new HashSet<>(kv.keySet());
        assertEquals(303 + 3 + 3 + 1, all.size());
    }

    /** A member that asks for client certificates: claims with the pools file's etcd-cacert/cert/key, refused without. */
    @Test
    @Order(4)
    void tlsWithClientCertificates() throws Exception {
        assumeTrue(Sh.run("sh", "-c", "command -v openssl").success() || Prerequisites.inCi(), "openssl is not installed");
        Path t = Files.createDirectories(dir.resolve("tls"));
        Files.writeString(t.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
        Files.writeString(t.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        String ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes ";
        Sh.run("sh", "-c", "cd " + t + " && openssl req -x509 " + ec + "-keyout ca.key -out ca.crt -days 1 -subj /CN=ca"
                + " && for n in server client; do openssl req " + ec + "-keyout $n.key -out $n.csr -subj /CN=$n"
                + " && openssl x509 -req -in $n.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out $n.crt -days 1"
                + " -extfile $n.ext || exit 1; done").assertOk("certificates");
        int port;
        int peerPort;
        try (ServerSocket a = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             ServerSocket b = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = a.getLocalPort();
            peerPort = b.getLocalPort();
        }
        Process member = new ProcessBuilder("etcd", "--name", "t", "--data-dir", t.resolve("data").toString(),
                "--listen-peer-urls", "http://127.0.0.1:" + peerPort, "--initial-advertise-peer-urls",
                "http://127.0.0.1:" + peerPort, "--initial-cluster", "t=http://127.0.0.1:" + peerPort,
                "--listen-client-urls", "https://127.0.0.1:" + port, "--advertise-client-urls", "https://127.0.0.1:" + port,
                "--cert-file", t.resolve("server.crt").toString(), "--key-file", t.resolve("server.key").toString(),
                "--client-cert-auth", "--trusted-ca-file", t.resolve("ca.crt").toString())
                .redirectErrorStream(true).redirectOutput(t.resolve("etcd.log").toFile()).start();
        try {
            String tlsStore = "etcd://127.0.0.1:" + port;
            Files.writeString(t.resolve("pools"), "store = " + tlsStore + "\netcd-cacert = " + t.resolve("ca.crt")
                    + "\netcd-cert = " + t.resolve("client.crt") + "\netcd-key = " + t.resolve("client.key")
                    + "\npool lan 10.253.0.0/24\n");
            List<String> argv = host("hostT", "tls", 2);
            argv.set(argv.indexOf(dir.resolve("pools").toString()), t.resolve("pools").toString());
            argv.set(argv.indexOf(store), tlsStore);
            Sh.Result ok = Poll.until(Duration.ofSeconds(20), Duration.ofMillis(200), () -> {
                Sh.Result r = Sh.run(argv, Duration.ofSeconds(30));
                return r.success() ? java.util.Optional.of(r) : java.util.Optional.empty();
            }, "a claim over TLS");
            assertEquals(List.of("10.253.0.1", "10.253.0.2"), ok.out().lines().map(l -> l.split(" ")[1]).toList());
            Files.writeString(t.resolve("pools"), "store = " + tlsStore + "\netcd-cacert = " + t.resolve("ca.crt")
                    + "\npool lan 10.253.0.0/24\n");
            Sh.Result refused = Sh.run(argv, Duration.ofSeconds(30));
            assertEquals(1, refused.code(), refused.describe());
            assertTrue(refused.out().startsWith("error etcd store " + tlsStore + ": no member answered (127.0.0.1:" + port),
                    refused.describe());
            String key = Files.readString(t.resolve("client.key"));
            String secret = key.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
            assertFalse(refused.out().contains(secret) || refused.err().contains(secret) || ok.out().contains(secret));
        } finally {
            member.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * pool rm against a claim made between its check and its deletion: the transaction fails, the
     * pool is read and checked again, the check refuses, the other host's key stays; the pools
     * file is not rewritten. With nothing claimed meanwhile, one transaction deletes every key.
     */
    @Test
    @Order(5)
    void poolRmDeletesNothingClaimedAfterItsCheck() {
        dev.pipework.model.Pool pool = dev.pipework.ipam.PoolsFile.pool(new String[] {"gone", "10.9.0.0/24"});
        dev.pipework.ipam.EtcdStore mine = dev.pipework.ipam.EtcdStore.open(store, Map.of(), "hostR");
        dev.pipework.ipam.EtcdStore theirs = dev.pipework.ipam.EtcdStore.open(store, Map.of(), "hostS");
        dev.pipework.ipam.Allocator allocator = new dev.pipework.ipam.Allocator(System.currentTimeMillis(), 60_000,
                l -> true, 1, 1);
        List<Integer> checks = new ArrayList<>();
        boolean[] rewritten = {false};
        dev.pipework.model.PipeworkException refused = org.junit.jupiter.api.Assertions.assertThrows(
                dev.pipework.model.PipeworkException.class, () -> mine.remove(pool, state -> {
                    checks.add(state.leases().size());
                    if (checks.size() == 1) {
                        theirs.change(pool, true, st -> allocator.allocate(pool, st,
                                new dev.pipework.ipam.Holder("cni", "c1", "eth0")));
                    } else if (!state.leases().isEmpty()) {
                        throw new dev.pipework.model.PipeworkException("pool \"gone\" holds an address");
                    }
                }, () -> rewritten[0] = true));
        assertEquals("pool \"gone\" holds an address", refused.getMessage());
        assertEquals(List.of(0, 1), checks, "checked again after the transaction failed");
        assertFalse(rewritten[0]);
        assertEquals(1, keyCount("pipework/ipam/gone/"), "the other host's claim was deleted");
        mine.remove(pool, state -> { }, () -> rewritten[0] = true);
        assertTrue(rewritten[0]);
        assertEquals(0, keyCount("pipework/ipam/gone/"));
    }

    /**
     * A claim's confirmation is made on the pool as the claim's transaction left it (no read), and
     * still never writes over a change made meanwhile: here the claimed key is deleted between the
     * two, as another process's release would; the confirmation's transaction fails, the pool is
     * read, and the address, no longer claimed, is not confirmed back into it.
     */
    @Test
    @Order(6)
    void aConfirmationNeverWritesOverAChangeMadeSinceTheClaim() {
        dev.pipework.model.Pool pool = dev.pipework.ipam.PoolsFile.pool(new String[] {"conf", "10.9.1.0/24"});
        dev.pipework.ipam.EtcdStore mine = dev.pipework.ipam.EtcdStore.open(store, Map.of(), "hostC");
        dev.pipework.ipam.Allocator allocator = new dev.pipework.ipam.Allocator(System.currentTimeMillis(), 60_000,
                l -> true, 1, 1);
        dev.pipework.ipam.Holder holder = new dev.pipework.ipam.Holder("cni", "c1", "eth0");
        java.util.function.Function<dev.pipework.ipam.PoolState, dev.pipework.ipam.Allocator.Given> confirm = st -> {
            var claimed = st.leases().values().stream().filter(l -> l.holder().equals(holder)
                    && l.state() == dev.pipework.ipam.Lease.State.CLAIMED).findFirst();
            return new dev.pipework.ipam.Allocator.Given(claimed.map(l -> st.put(l.with(dev.pipework.ipam.Lease.State.HELD,
                    System.currentTimeMillis()))).orElse(st), null, java.util.Optional.empty(), false);
        };
        mine.change(pool, true, st -> allocator.allocate(pool, st, holder));
        mine.change(pool, true, confirm);
        assertEquals(List.of(dev.pipework.ipam.Lease.State.HELD), mine.read(pool).leases().values().stream()
                .map(dev.pipework.ipam.Lease::state).toList(), "claimed and confirmed");
        etcd.deletePrefix(0, "pipework/ipam/conf/").orElseThrow();

        mine.change(pool, true, st -> allocator.allocate(pool, st, holder));
        etcd.deletePrefix(0, "pipework/ipam/conf/").orElseThrow();
        mine.change(pool, true, confirm);
        assertEquals(0, keyCount("pipework/ipam/conf/"), "a released claim confirmed back");
    }

    private static int keyCount(String prefix) {
        String body = etcd.range(0, prefix).orElseThrow(() -> new AssertionError("member 0 did not answer"));
        return body.split("\"key\":", -1).length - 1;
    }
}

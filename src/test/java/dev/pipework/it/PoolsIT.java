package dev.pipework.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.IpJson;
import dev.pipework.it.support.Pipework;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;
import dev.pipework.json.Json;

/**
 * Address pools for real: parallel processes allocating from one pool through the file store's
 * lock; {@code pool:<name>} attaches on a Linux bridge, {@code status}, {@code del} giving back,
 * reuse after the cooldown, a pool exhausted leaving nothing plumbed.
 */
class PoolsIT {
    @TempDir
    Path dir;

    private Map<String, String> env() {
        return Map.of("PIPEWORK_POOLS", dir.resolve("pools").toString(),
                "PIPEWORK_IPAM_STORE", "file:" + dir.resolve("ipam"));
    }

    private Sh.Result pw(String... args) {
        return Pipework.run(List.of(args), Pipework.DEFAULT_TIMEOUT, env());
    }

    private Sh.Result ok(String... args) {
        Sh.Result r = pw(args);
        if (r.code() != 0) {
            throw new AssertionError("pipework " + String.join(" ", args) + " failed: " + r.describe());
        }
        return r;
    }

    /** 20 processes of 10 threads each, 200 claims from one /24: each address once, all held. */
    @Test
    void twoHundredParallelAllocationsGiveEachAddressOnce() throws Exception {
        Files.writeString(dir.resolve("pools"), "pool par 10.251.0.0/24 gateway 10.251.0.1\n");
        List<String> command = new ArrayList<>(List.of(Pipework.java(), "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "dev.pipework.it.support.AllocateMany",
                dir.resolve("pools").toString(), "file:" + dir.resolve("ipam"), "par"));
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<Sh.Result>> runs = new ArrayList<>();
        for (int p = 0; p < 20; p++) {
            List<String> argv = new ArrayList<>(command);
            argv.addAll(List.of("p" + p, "10"));
            runs.add(pool.submit(() -> Sh.run(argv, Duration.ofSeconds(120))));
        }
        List<String> given = new ArrayList<>();
        for (Future<Sh.Result> run : runs) {
            Sh.Result r = run.get();
            assertEquals(0, r.code(), r.describe());
            given.addAll(r.out().lines().toList());
        }
        pool.shutdown();
        assertEquals(200, given.size());
        Set<String> once = new HashSet<>(given);
        assertEquals(200, once.size(), "an address was given twice: " + given);
        assertFalse(once.contains("10.251.0.1/24"), "the gateway was given");
        Object doc = Json.parse(ok("pool", "ls", "--json").out());
        assertEquals(200L, Json.at(doc, "pools", "0", "held"));
        assertEquals(53L, Json.at(doc, "pools", "0", "free"));
        assertEquals(200, Files.readString(dir.resolve("ipam/par.json")).split("\"held\"").length - 1);
    }

    /** Two guests from a pool on a Linux bridge reach each other; del gives back; the cooldown; exhaustion. */
    @Test
    void attachFromAPoolOnALinuxBridgeAndGiveBack() throws IOException, InterruptedException {
        Prerequisites.requireRoot();
        String br = "br" + HostCleanup.uniqueSuffix();
        try (HostCleanup host = new HostCleanup(); TestNetns netns = new TestNetns()) {
            host.bridge(br);
            String a = netns.create("pa");
            String b = netns.create("pb");
            String c = netns.create("pc");
            ok("pool", "add", "lan", "10.252.0.0/24", "--gateway", "10.252.0.1", "--range", "10.252.0.10-10.252.0.12");
            Files.writeString(dir.resolve("pools"), "cooldown = 15\n" + Files.readString(dir.resolve("pools")));
            assertEquals("# pool lan: 10.252.0.10/24 (would be given)", ok("--dry-run", br, a, "pool:lan@gw").out()
                    .lines().findFirst().orElseThrow());
            assertEquals("10.252.0.10/24 pool lan\n", ok(br, a, "pool:lan@gw").out());
            Object json = Json.parse(ok("--json", br, b, "pool:lan").out());
            assertEquals("10.252.0.11/24", Json.at(json, "pools", "0", "address"));
            assertTrue(IpJson.addressesInNetns(a, "eth1").contains("10.252.0.10/24"),
                    IpJson.addressesInNetns(a, "eth1").toString());
            assertTrue(netns.exec(a, "ip", "route", "show", "default").out().contains("via 10.252.0.1"));
            assertEquals(0, netns.exec(a, "ping", "-c", "1", "-W", "2", "10.252.0.11").code(), "a cannot reach b");

            String status = ok("status", a).out();
            assertTrue(status.lines().findFirst().orElseThrow().endsWith("POOL"), status);
            assertTrue(status.contains("10.252.0.10/24") && status.lines().skip(1).allMatch(l -> l.endsWith("lan")),
                    status);

            // A fixed address inside the pool is reserved there: the pool skips it.
            ok("-i", "eth2", br, c, "10.252.0.12/24");
            Sh.Result exhausted = pw("-i", "eth3", br, c, "pool:lan");
            assertEquals(1, exhausted.code(), exhausted.describe());
            assertEquals("pipework: pool \"lan\" has no free address: 3 held\n", exhausted.err());
            assertFalse(netns.exec(c, "ip", "link", "show", "eth3").code() == 0, "eth3 plumbed by a refused run");

            Sh.Result del = ok("del", b);
            long released = System.nanoTime();
            assertTrue(del.err().contains("gave back 10.252.0.11/24 to pool \"lan\""), del.describe());
            Sh.Result cooling = pw("-i", "eth3", br, c, "pool:lan");
            assertEquals(1, cooling.code(), cooling.describe());
            assertTrue(cooling.err().contains("1 cooling down"), cooling.describe());
            Thread.sleep(Math.max(0, 15_100 - (System.nanoTime() - released) / 1_000_000));
            assertEquals("10.252.0.11/24 pool lan\n", ok("-i", "eth3", br, c, "pool:lan").out());
            Object ls = Json.parse(ok("pool", "ls", "--json").out());
            assertEquals(3L, Json.at(ls, "pools", "0", "held"));
            assertEquals(0L, Json.at(ls, "pools", "0", "free"));
            ok("del", "--all", c);
            ok("del", a);
            assertEquals(0L, Json.at(Json.parse(ok("pool", "ls", "--json").out()), "pools", "0", "held"));
            ok("pool", "rm", "lan");
            assertFalse(Files.exists(dir.resolve("ipam/lan.json")));
        }
    }

}

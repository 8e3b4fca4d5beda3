package dev.pipework.ipam;

import dev.pipework.json.Json;
import dev.pipework.model.IpAddress;
import dev.pipework.model.PipeworkException;
import dev.pipework.model.Pool;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON gateway's codec and the etcd store's values, read back as untrusted input. */
class EtcdGatewayTest {
    private final EtcdGateway gateway = new EtcdGateway(List.of(URI.create("http://127.0.0.1:1")), "etcd://t:1",
            Duration.ofMillis(200), Optional.empty());
    private final Pool pool = PoolsFile.pool(new String[] {"lan", "10.1.0.0/24"});
    private final EtcdStore store = EtcdStore.of(gateway, "hostA").orElseThrow();

    @Test
    void aRangeAsksForEveryKeyOfThePrefix() {
        Map<String, Object> m = Json.object(Json.parse(EtcdGateway.rangeRequest("pipework/ipam/lan/")));
        assertEquals("cGlwZXdvcmsvaXBhbS9sYW4v", m.get("key"));
        assertEquals(EtcdGateway.b64("pipework/ipam/lan0"), m.get("range_end"));
    }

    @Test
    void aTxnComparesCreationOrModificationAndPutsOrDeletes() {
        String body = EtcdGateway.txnRequest(List.of(new EtcdGateway.Absent("k1"), new EtcdGateway.Unchanged("k2", 42)),
                List.of(new EtcdGateway.Put("k1", "v"), new EtcdGateway.Delete("k2")));
        assertEquals("{\"compare\":[{\"key\":\"azE=\",\"result\":\"EQUAL\",\"target\":\"CREATE\",\"create_revision\":\"0\"},"
                + "{\"key\":\"azI=\",\"result\":\"EQUAL\",\"target\":\"MOD\",\"mod_revision\":\"42\"}],"
                + "\"success\":[{\"request_put\":{\"key\":\"azE=\",\"value\":\"dg==\"}},"
                + "{\"request_delete_range\":{\"key\":\"azI=\"}}]}", canonical(body));
    }

    /** pool rm: the prefix deleted only if no key of it was created or changed after the revision read. */
    @Test
    void aPrefixRemovalComparesEveryKeysModificationWithTheRevisionRead() {
        String body = EtcdGateway.txnRequest(List.of(new EtcdGateway.PrefixUnchanged("p/", 41)),
                List.of(new EtcdGateway.DeletePrefix("p/")));
        assertEquals("{\"compare\":[{\"key\":\"cC8=\",\"result\":\"LESS\",\"target\":\"MOD\",\"mod_revision\":\"42\","
                + "\"range_end\":\"cDA=\"}],\"success\":[{\"request_delete_range\":{\"key\":\"cC8=\",\"range_end\":\"cDA=\"}}]}",
                canonical(body));
    }

    /** Map.of has no order: the nested maps are compared member by member through a sorted writer. */
    private static String canonical(String body) {
        Map<String, Object> m = Json.object(Json.parse(body));
        List<Object> success = Json.array(m.get("success")).stream().map(o -> (Object) new java.util.TreeMap<>(
                Json.object(o).entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                        e -> new java.util.TreeMap<>(Json.object(e.getValue())))))).toList();
        m.put("success", success);
        return Json.write(m);
    }

    @Test
    void aRangeAnswerGivesKeysValuesAndRevisions() {
        String body = "{\"header\":{\"revision\":\"7\"},\"kvs\":[{\"key\":\"YQ==\",\"create_revision\":\"2\","
                + "\"mod_revision\":\"5\",\"version\":\"3\",\"value\":\"Yg==\"},{\"key\":\"Yw==\",\"create_revision\":\"6\","
                + "\"mod_revision\":\"6\"}],\"count\":\"2\"}";
        assertEquals(new EtcdGateway.Range(List.of(new EtcdGateway.Kv("a", "b", 2, 5), new EtcdGateway.Kv("c", "", 6, 6)), 7),
                gateway.rangeAnswer(body));
        assertEquals(new EtcdGateway.Range(List.of(), 1), gateway.rangeAnswer("{\"header\":{\"revision\":\"1\"}}"));
    }

    @Test
    void anAnswerThatIsNotOneIsAnErrorNamingTheStore() {
        for (String bad : new String[] {"[]", "{\"kvs\":[{\"key\":\"%%%\"}]}", "{\"kvs\":[{\"key\":\"YQ==\",\"mod_revision\":\"-1\"}]}",
                "{\"kvs\":{}}", "{\"error\":\"etcdserver: no leader\",\"code\":14}"}) {
            PipeworkException e = assertThrows(PipeworkException.class, () -> gateway.rangeAnswer(bad), bad);
            assertTrue(e.getMessage().startsWith("etcd store etcd://t:1: "), e.getMessage());
        }
    }

    @Test
    void aTxnThatFailedHasNoSucceededMember() {
        assertTrue(gateway.txnAnswer("{\"header\":{\"revision\":\"7\"},\"succeeded\":true,\"responses\":[]}"));
        assertEquals(7, gateway.txnRevision("{\"header\":{\"revision\":\"7\"},\"succeeded\":true,\"responses\":[]}"));
        assertFalse(gateway.txnAnswer("{\"header\":{\"revision\":\"2\"}}"));
        assertEquals(0, gateway.txnRevision("{\"header\":{\"revision\":\"2\"}}"));
        assertThrows(PipeworkException.class, () -> gateway.txnAnswer("{\"succeeded\":\"yes\"}"));
        // Every written key's mod_revision is the answer's revision: one that succeeded names it.
        assertThrows(PipeworkException.class, () -> gateway.txnAnswer("{\"header\":{},\"succeeded\":true}"));
    }

    @Test
    void anErrorIsOneLineOfTheGatewaysMessage() {
        assertEquals("etcdserver: request timed out (HTTP 503)",
                EtcdGateway.errorOf(503, "{\"error\":\"etcdserver: request timed out\",\"code\":14,\"message\":\"etcdserver: request\\ntimed out\"}")
                        .replace("request timed", "request timed"));
        assertEquals("HTTP 502", EtcdGateway.errorOf(502, "<html>"));
    }

    /** A member that answers 503 while a leader is elected: asked again a moment later, the answer taken. */
    @Test
    void aLeaderElectionIsWaitedOutAndAnyOtherErrorIsNot() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        int[] status = {503};
        server.createContext("/v3/kv/range", exchange -> {
            exchange.getRequestBody().readAllBytes();
            boolean electing = calls.incrementAndGet() == 1 || status[0] != 503;
            byte[] body = (electing ? "{\"error\":\"etcdserver: leader changed\",\"code\":14}"
                    : "{\"header\":{\"revision\":\"7\"},\"kvs\":[]}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(electing ? status[0] : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            EtcdGateway one = new EtcdGateway(List.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort())),
                    "etcd://m:1", Duration.ofSeconds(2), Optional.empty());
            assertEquals(List.of(), one.range("pipework/ipam/lan/"));
            assertEquals(2, calls.get());
            status[0] = 500;
            calls.set(0);
            PipeworkException e = assertThrows(PipeworkException.class, () -> one.range("pipework/ipam/lan/"));
            assertTrue(e.getMessage().contains("etcdserver: leader changed (HTTP 500)"), e.getMessage());
            assertEquals(1, calls.get(), "another error is not asked again");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void noMemberAnsweringIsOneLineNamingEachMember() {
        EtcdGateway two = new EtcdGateway(List.of(URI.create("http://127.0.0.1:1"), URI.create("http://127.0.0.1:2")),
                "etcd://127.0.0.1:1,127.0.0.1:2", Duration.ofMillis(500), Optional.empty());
        PipeworkException e = assertThrows(PipeworkException.class, () -> two.range("pipework/ipam/lan/"));
        assertTrue(e.getMessage().startsWith("etcd store etcd://127.0.0.1:1,127.0.0.1:2: no member answered (127.0.0.1:1: "),
                e.getMessage());
        assertTrue(e.getMessage().contains("; 127.0.0.1:2: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void aValueNamesHostHolderAndStateAndReadsBack() {
        Lease l = new Lease(IpAddress.parse("10.1.0.5"), new Holder("docker", "abc", "eth1"), Lease.State.CLAIMED, 12, 34, 56);
        String v = store.value(l);
        assertEquals("{\"host\":\"hostA\",\"runtime\":\"docker\",\"container\":\"abc\",\"interface\":\"eth1\","
                + "\"state\":\"claimed\",\"pid\":12,\"start\":34,\"since\":56,\"boot\":\"boot-test\"}", v);
        assertEquals(l, store.lease(pool, "10.1.0.5", v));
        Lease there = EtcdStore.of(gateway, "hostB").orElseThrow().lease(pool, "10.1.0.5", v);
        assertEquals(new Holder("docker@hostA", "abc", "eth1"), there.holder());
        assertEquals(Optional.of("hostA"), there.holder().host());
    }

    /** Two machines under one host name (a cloned /etc/machine-id): a key of this name from another boot, written during this one. */
    @Test
    void aKeyOfThisHostsNameFromAnotherBootDuringThisOneIsAClone() {
        EtcdStore booted = EtcdStore.of(gateway, "hostA", "boot-1", 1_000_000).orElseThrow();
        Lease l = new Lease(IpAddress.parse("10.1.0.5"), new Holder("docker", "abc", "eth1"), Lease.State.HELD, 0, 0, 2_000_000);
        String clone = EtcdStore.of(gateway, "hostA", "boot-2", 500_000).orElseThrow().value(l);
        PipeworkException e = assertThrows(PipeworkException.class, () -> booted.lease(pool, "10.1.0.5", clone));
        assertTrue(e.getMessage().contains("was written as host \"hostA\" by another machine (boot boot-2) while this one"
                + " ran (boot boot-1): two machines share this host name"), e.getMessage());
        // Written by an earlier boot of this machine (before this one began): its own, as any.
        Lease before = new Lease(l.address(), l.holder(), Lease.State.HELD, 0, 0, 900_000);
        String earlier = EtcdStore.of(gateway, "hostA", "boot-0", 100_000).orElseThrow().value(before);
        assertEquals(before, booted.lease(pool, "10.1.0.5", earlier));
        // Another host's key, or one written before keys named their boot: no check.
        assertEquals("hostA", EtcdStore.of(gateway, "hostB", "boot-1", 1_000_000).orElseThrow()
                .lease(pool, "10.1.0.5", clone).holder().host().orElseThrow());
        assertEquals(l, booted.lease(pool, "10.1.0.5", clone.replace(",\"boot\":\"boot-2\"", "")));
    }

    @Test
    void aValueReadBackIsUntrusted() {
        String good = "{\"host\":\"hostA\",\"runtime\":\"docker\",\"container\":\"abc\",\"interface\":\"eth1\","
                + "\"state\":\"held\",\"pid\":0,\"start\":0,\"since\":1}";
        String[][] bad = {
            {"10.2.0.5", good}, {"10.1.0.05", good}, {"nonsense", good}, {"10.1.0.5", "not json"},
            {"10.1.0.5", good.replace("hostA", "host A")}, {"10.1.0.5", good.replace("\"docker\"", "\"docker@x\"")},
            {"10.1.0.5", good.replace("eth1", "eth 1")}, {"10.1.0.5", good.replace("held", "mine")},
            {"10.1.0.5", good.replace("\"pid\":0", "\"pid\":-1")}, {"10.1.0.5", good.replace("\"host\":\"hostA\",", "")},
        };
        for (String[] b : bad) {
            assertThrows(RuntimeException.class, () -> store.lease(pool, b[0], b[1]), b[0] + " " + b[1]);
        }
    }

    @Test
    void aStoreIsEtcdUrlOfMembers() {
        assertThrows(PipeworkException.class, () -> EtcdStore.open("etcd://", Map.of(), "h"));
        assertThrows(PipeworkException.class, () -> EtcdStore.open("etcd://user:pw@h:2379", Map.of(), "h"));
        assertThrows(PipeworkException.class, () -> EtcdStore.open("etcd://h:99999", Map.of(), "h"));
        assertThrows(PipeworkException.class, () -> EtcdStore.open("etcd://h:2379", Map.of(), "bad host"));
        EtcdStore.open("etcd://127.0.0.1:2379,[::1]:2379,etcd-1.lan:2379/", Map.of(), "h");
    }

    @Test
    void leaseIdsAreInt64Strings() {
        assertEquals(7587887340404213766L, EtcdGateway.leaseId("7587887340404213766"));
        for (Object bad : new Object[] {"0", "-1", "9223372036854775808", "12a", 12L, null}) {
            org.junit.jupiter.api.Assertions.assertThrows(dev.pipework.json.JsonException.class,
                    () -> EtcdGateway.leaseId(bad), String.valueOf(bad));
        }
    }
}

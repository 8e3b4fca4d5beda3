package dev.pipework.host;

import dev.pipework.json.Json;
import dev.pipework.plan.OvsPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Questions to Open vSwitch's database on its socket, against a stand-in server that answers each
 * transact from a function of its operations, in pieces, and keeps the connection open after it as
 * ovsdb-server does.
 */
class OvsdbSocketTest {
    @TempDir
    Path tmp;

    private ServerSocketChannel server;
    private final List<List<Object>> asked = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** What the stand-in server does with one connection. */
    private interface Connection {
        void serve(SocketChannel c) throws IOException, InterruptedException;
    }

    /** A stand-in server on a socket of the test's own, serving each connection in turn until closed. */
    private Path serveEach(Connection connection) throws IOException {
        Path socket = tmp.resolve("db.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread t = new Thread(() -> {
            while (true) {
                try (SocketChannel c = server.accept()) {
                    connection.serve(c);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return socket;
    }

    /** Serves transacts: {@code answer} gives the result of each operation; null: no answer at all. */
    private Path serve(Function<Map<String, Object>, Object> answer) throws IOException {
        return serveEach(c -> {
            Map<String, Object> request = Json.object(Json.parse(readOne(c)));
            List<Object> params = Json.array(request.get("params"));
            asked.add(params);
            List<Object> results = new ArrayList<>();
            for (Object op : params.subList(1, params.size())) {
                Object r = answer.apply(Json.object(op));
                if (r == null) {
                    Thread.sleep(5_000);
                    break;
                }
                results.add(r);
            }
            Map<String, Object> replyObject = new java.util.LinkedHashMap<>();
            replyObject.put("id", request.get("id"));
            replyObject.put("result", results);
            replyObject.put("error", null);
            byte[] reply = Json.write(replyObject).getBytes(StandardCharsets.UTF_8);
            // In two pieces, the first ending inside a string holding a brace.
            int half = reply.length / 2;
            c.write(ByteBuffer.wrap(reply, 0, half));
            Thread.sleep(5);
            c.write(ByteBuffer.wrap(reply, half, reply.length - half));
            Thread.sleep(50);
        });
    }

    private static String readOne(SocketChannel c) throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        ByteBuffer in = ByteBuffer.allocate(4096);
        while (c.read(in) > 0) {
            text.write(in.array(), 0, in.position());
            in.clear();
            try {
                Json.parse(text.toString(StandardCharsets.UTF_8));
                break;
            } catch (RuntimeException e) {
                // not all of it yet
            }
        }
        return text.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, Object> rows(Object... rows) {
        return Map.of("rows", List.of(rows));
    }

    @Test
    void answersEachOperationInOrder() throws IOException {
        Path socket = serve(op -> rows(Map.of("name", "br]}\"0\\\"" + op.get("table"))));
        List<Map<String, Object>> results = OvsdbSocket.transact(socket, List.of(
                Map.of("op", "select", "table", "Port"), Map.of("op", "select", "table", "Bridge")), Duration.ofSeconds(5));
        assertEquals(2, results.size());
        assertEquals("br]}\"0\\\"Port", Json.object(OvsdbSocket.rows(results.get(0)).get(0)).get("name"));
        assertEquals("br]}\"0\\\"Bridge", Json.object(OvsdbSocket.rows(results.get(1)).get(0)).get("name"));
        assertEquals("Open_vSwitch", asked.get(0).get(0));
    }

    /** Nothing served there: no answer of the database's, left to the whole read (ovs-vsctl may know another socket). */
    @Test
    void nobodyListeningIsNoAnswerOfTheDatabase() {
        Path socket = tmp.resolve("none.sock");
        IOException e = assertThrows(IOException.class,
                () -> OvsdbSocket.transact(socket, List.of(Map.of("op", "select")), Duration.ofSeconds(5)));
        assertTrue(!(e instanceof OvsdbSocket.NoAnswer), e.toString());
        assertEquals(Optional.empty(), OvsDatabase.named(socket, List.of("veth1pl7")));
    }

    @Test
    void aRefusedOperationFailsTheQuestion() throws IOException {
        Path socket = serve(op -> Map.of("error", "syntax error", "details", "no such table"));
        IOException e = assertThrows(IOException.class,
                () -> OvsdbSocket.transact(socket, List.of(Map.of("op", "select")), Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("refused the question"), e.getMessage());
    }

    /** A database that takes the question and does not answer: said not to answer, within the bound. */
    @Test
    void noAnswerInTimeIsTheDatabaseNotAnswering() throws IOException {
        Path socket = serve(op -> null);
        long t0 = System.nanoTime();
        OvsdbSocket.NoAnswer e = assertThrows(OvsdbSocket.NoAnswer.class,
                () -> OvsdbSocket.transact(socket, List.of(Map.of("op", "select")), Duration.ofMillis(300)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 3_000, "took " + ms + " ms");
        assertEquals("unix:" + socket + ": no answer within 0.3 s", e.getMessage());
        HostInspector.OvsPorts read = OvsDatabase.named(socket, List.of("veth1pl7"), Duration.ofMillis(300)).orElseThrow();
        assertEquals(Optional.of("Open vSwitch's database does not answer (is ovsdb-server running?): unix:" + socket
                + ": no answer within 0.3 s"), read.down());
        assertEquals(Map.of(), read.ports());
    }

    /** Serves each question with these bytes as they are, then closes the connection. */
    private Path serveRaw(byte[] reply) throws IOException {
        return serveEach(c -> {
            readOne(c);
            c.write(ByteBuffer.wrap(reply));
        });
    }

    /** The question's failure where the server answers these bytes and closes: never the database's silence. */
    private IOException failureOf(String reply) throws IOException {
        Path socket = serveRaw(reply.getBytes(StandardCharsets.UTF_8));
        IOException e = assertThrows(IOException.class,
                () -> OvsdbSocket.transact(socket, List.of(Map.of("op", "select")), Duration.ofSeconds(5)));
        assertTrue(!(e instanceof OvsdbSocket.NoAnswer), e.toString());
        return e;
    }

    /** A server that closes before a whole answer: the question failed, left to the whole read. */
    @Test
    void aConnectionClosedBeforeTheAnswerFailsTheQuestion() throws IOException {
        IOException e = failureOf("{\"id\":0,\"result\":[");
        assertEquals("Open vSwitch's database closed the connection before it answered", e.getMessage());
        assertEquals(Optional.empty(), OvsDatabase.named(tmp.resolve("db.sock"), List.of("veth1pl7")));
    }

    /** A whole answer that is no JSON-RPC reply: the question failed. */
    @Test
    void anAnswerThatCannotBeReadFailsTheQuestion() throws IOException {
        IOException e = failureOf("{\"id\":0,\"result\":[1,]}");
        assertTrue(e.getMessage().startsWith("Open vSwitch's database gave an answer that cannot be read: "), e.getMessage());
    }

    /** A port's row, its bridge by the row's UUID (none for an orphan): as the database keeps them. */
    private static Map<String, Object> answer(Map<String, Object> op) {
        String table = (String) op.get("table");
        List<Object> where = Json.array(Json.array(op.get("where")).get(0));
        Object value = where.get(2);
        Map<String, String> bridgeOfPort = Map.of("u-7", "ovs0", "u-t", "ovs0", "u-own", "ovs0");
        return switch (table) {
            case "Interface" -> value.equals("veth1pl7") || where.get(0).equals("external_ids")
                    && Json.write(value).contains("\"c1\"")
                    ? rows(Map.of("name", "veth1pl7", "external_ids", List.of("map", List.of(
                            List.of("pipework.containerid", "c1"), List.of("pipework.interface", "veth1pl7")))))
                    : rows();
            // With fake_bridge == true and a tag besides the name: only a VLAN's fake bridge.
            case "Port" -> Json.array(op.get("where")).size() > 1
                    ? (Json.array(op.get("where")).equals(List.of(List.of("name", "==", value), List.of("fake_bridge", "==", true),
                            List.of("tag", "!=", List.of("set", List.of())))) && value.equals("fake5") ? rows(Map.of("name", "fake5")) : rows())
                    : switch (String.valueOf(value)) {
                case "veth1pl7" -> rows(Map.of("_uuid", List.of("uuid", "u-7"), "name", "veth1pl7", "tag", 7L));
                case "trunk0" -> rows(Map.of("_uuid", List.of("uuid", "u-t"), "name", "trunk0", "tag", List.of("set", List.of())));
                case "ovs0" -> rows(Map.of("_uuid", List.of("uuid", "u-own"), "name", "ovs0", "tag", List.of("set", List.of())));
                case "orphan0" -> rows(Map.of("_uuid", List.of("uuid", "u-o"), "name", "orphan0", "tag", List.of("set", List.of())));
                case "fake5" -> rows(Map.of("_uuid", List.of("uuid", "u-f"), "name", "fake5", "tag", 5L));
                default -> rows();
            };
            case "Bridge" -> {
                if (where.get(0).equals("name")) {
                    yield value.equals("ovs0") ? rows(Map.of("name", "ovs0")) : rows();
                }
                String uuid = (String) Json.array(value).get(1);
                yield bridgeOfPort.containsKey(uuid) ? rows(Map.of("name", bridgeOfPort.get(uuid))) : rows();
            }
            default -> throw new AssertionError(table);
        };
    }

    /**
     * The ports asked by name and by record, put together from the rows of the selects as the whole
     * read shows them: a bridge's own port and a port no bridge holds left out, a name that is no
     * port asked once.
     */
    @Test
    void portsByNameAndByRecord() throws IOException {
        Path socket = serve(OvsdbSocketTest::answer);
        HostInspector.OvsPorts named = OvsDatabase.named(socket, List.of("veth1pl7", "trunk0", "gone0", "ovs0", "orphan0"))
                .orElseThrow();
        assertEquals(Optional.empty(), named.down());
        assertEquals(new OvsPort("veth1pl7", "ovs0", Optional.of(7), Map.of("pipework.containerid", "c1",
                "pipework.interface", "veth1pl7")), named.ports().get("veth1pl7"));
        assertEquals(new OvsPort("trunk0", "ovs0", Optional.empty(), Map.of()), named.ports().get("trunk0"));
        assertEquals(List.of("veth1pl7", "trunk0"), List.copyOf(named.ports().keySet()));
        assertEquals(2, asked.size(), "the names' rows, then the bridges: " + asked);
        asked.clear();
        HostInspector.OvsPorts recorded = OvsDatabase.recording(socket, "pipework.containerid", "c1", Map.of()).orElseThrow();
        assertEquals(List.of("veth1pl7"), List.copyOf(recorded.ports().keySet()));
        assertEquals(Optional.of(7), recorded.ports().get("veth1pl7").tag());
        assertEquals(3, asked.size(), "interfaces, their ports, the ports' bridges: " + asked);
        asked.clear();
        assertEquals(Map.of(), OvsDatabase.recording(socket, "pipework.containerid", "c2", Map.of()).orElseThrow().ports());
        assertEquals(1, asked.size(), asked.toString());
        // A port read by name a moment before is not read again.
        asked.clear();
        OvsPort known = named.ports().get("veth1pl7");
        assertEquals(Map.of("veth1pl7", known), OvsDatabase.recording(socket, "pipework.containerid", "c1",
                Map.of("veth1pl7", known)).orElseThrow().ports());
        assertEquals(1, asked.size(), asked.toString());
    }

    /** A bridge, real or a VLAN's fake one, as br-exists finds it; a port or a name of nothing is none. */
    @Test
    void bridgesRealAndFake() throws IOException {
        Path socket = serve(OvsdbSocketTest::answer);
        assertEquals(Optional.of(new OvsDatabase.BridgeAnswer(true, Optional.empty())), OvsDatabase.bridgeExists(socket, "ovs0"));
        assertEquals(Optional.of(new OvsDatabase.BridgeAnswer(true, Optional.empty())), OvsDatabase.bridgeExists(socket, "fake5"));
        assertEquals(Optional.of(new OvsDatabase.BridgeAnswer(false, Optional.empty())), OvsDatabase.bridgeExists(socket, "trunk0"));
        assertEquals(Optional.of(new OvsDatabase.BridgeAnswer(false, Optional.empty())), OvsDatabase.bridgeExists(socket, "gone0"));
        assertEquals(4, asked.size(), "one question each: " + asked);
        assertEquals(Optional.empty(), OvsDatabase.bridgeExists(tmp.resolve("none.sock"), "ovs0"));
    }
}

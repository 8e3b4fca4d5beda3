package dev.pipework.host;

import dev.pipework.json.Json;
import dev.pipework.plan.OvsPort;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
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

    /** Serves transacts: {@code answer} gives the result of each operation; null: no answer at all. */
    private Path serve(Function<Map<String, Object>, Object> answer) throws IOException {
        Path socket = tmp.resolve("db.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread t = new Thread(() -> {
            while (true) {
                try (SocketChannel c = server.accept()) {
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
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return socket;
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

    private record Answering(Function<List<String>, CommandResult> answer) implements CommandRunner {
        @Override
        public CommandResult run(List<String> argv) {
            return answer.apply(argv);
        }

        @Override
        public CommandResult run(List<String> argv, String stdin) {
            return answer.apply(argv);
        }
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

    @Test
    void nobodyListeningIsTheDatabaseDownAsOvsVsctlSaysIt() {
        Path socket = tmp.resolve("none.sock");
        OvsdbSocket.Down down = assertThrows(OvsdbSocket.Down.class,
                () -> OvsdbSocket.transact(socket, List.of(Map.of("op", "select")), Duration.ofSeconds(5)));
        assertEquals("unix:" + socket + ": database connection failed (No such file or directory)", down.getMessage());
    }

    @Test
    void aRefusedOperationFailsTheQuestion() throws IOException {
        Path socket = serve(op -> Map.of("error", "syntax error", "details", "no such table"));
        IOException e = assertThrows(IOException.class,
                () -> OvsdbSocket.transact(socket, List.of(Map.of("op", "select")), Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("refused the question"), e.getMessage());
    }

    @Test
    void noAnswerInTimeFailsWithinTheBound() throws IOException {
        Path socket = serve(op -> null);
        long t0 = System.nanoTime();
        assertThrows(IOException.class,
                () -> OvsdbSocket.transact(socket, List.of(Map.of("op", "select")), Duration.ofMillis(300)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 3_000, "took " + ms + " ms");
    }

    /** The ports asked by name and by record, put together from the rows of the selects as the whole read shows them. */
    @Test
    void portsByNameAndByRecord() throws IOException {
        Path socket = serve(op -> {
            String table = (String) op.get("table");
            List<Object> where = Json.array(Json.array(op.get("where")).get(0));
            Object value = where.get(2);
            return switch (table) {
                case "Interface" -> value.equals("veth1pl7") || where.get(0).equals("external_ids")
                        ? rows(Map.of("name", "veth1pl7", "external_ids", List.of("map", List.of(
                                List.of("pipework.containerid", "c1"), List.of("pipework.interface", "veth1pl7")))))
                        : rows();
                case "Port" -> value.equals("veth1pl7")
                        ? rows(Map.of("_uuid", List.of("uuid", "u-7"), "name", "veth1pl7", "tag", 7L))
                        : value.equals("trunk0") ? rows(Map.of("_uuid", List.of("uuid", "u-t"), "name", "trunk0", "tag", List.of("set", List.of())))
                        : rows();
                case "Bridge" -> rows(Map.of("name", "ovs0"));
                default -> throw new AssertionError(table);
            };
        });
        CommandRunner noProcess = new Answering(argv -> {
            throw new AssertionError("a process: " + argv);
        });
        HostInspector.OvsPorts named = OvsDatabase.named(noProcess, socket, List.of("veth1pl7", "trunk0", "gone0"));
        assertEquals(Optional.empty(), named.down());
        assertEquals(new OvsPort("veth1pl7", "ovs0", Optional.of(7), Map.of("pipework.containerid", "c1",
                "pipework.interface", "veth1pl7")), named.ports().get("veth1pl7"));
        assertEquals(new OvsPort("trunk0", "ovs0", Optional.empty(), Map.of()), named.ports().get("trunk0"));
        assertEquals(2, named.ports().size(), named.ports().toString());
        asked.clear();
        HostInspector.OvsPorts recorded = OvsDatabase.recording(noProcess, socket, "pipework.containerid", "c1", Map.of());
        assertEquals(List.of("veth1pl7"), List.copyOf(recorded.ports().keySet()));
        assertEquals(Optional.of(7), recorded.ports().get("veth1pl7").tag());
        assertEquals(3, asked.size(), "interfaces, their ports, the ports' bridges: " + asked);
        // A port read by name a moment before is not read again.
        asked.clear();
        OvsPort known = named.ports().get("veth1pl7");
        assertEquals(Map.of("veth1pl7", known), OvsDatabase.recording(noProcess, socket, "pipework.containerid", "c1",
                Map.of("veth1pl7", known)).ports());
        assertEquals(1, asked.size(), asked.toString());
    }

    /** With no database on the socket, the line ovs-vsctl's whole read would give, and no port. */
    @Test
    void portsAskedOfNoDatabaseSayItIsDown() {
        CommandRunner runner = new Answering(argv -> new CommandResult(1, "", "ovs-vsctl: unix:" + tmp.resolve("none.sock")
                + ": database connection failed (No such file or directory)\n"));
        Path socket = tmp.resolve("none.sock");
        HostInspector.OvsPorts read = OvsDatabase.named(runner, socket, List.of("veth1pl7"));
        if (ExecutablePath.find("ovs-vsctl").isEmpty()) {
            assertEquals(new HostInspector.OvsPorts(Map.of(), Optional.empty()), read);
            return;
        }
        assertEquals(Optional.of("Open vSwitch's database does not answer (is ovsdb-server running?): unix:" + socket
                + ": database connection failed (No such file or directory)"), read.down());
        assertTrue(read.ports().isEmpty());
    }
}

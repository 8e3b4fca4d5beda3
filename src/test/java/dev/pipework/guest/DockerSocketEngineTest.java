package dev.pipework.guest;

import dev.pipework.exec.ProcessCommandRunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pipework.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerSocketEngineTest {

    static final String ID = "3c29b7ae3f617889dc37c0b02be17a5d2483ae35403f6b78e56bb0ff43f38b42";

    /** Shaped like a real Engine answer to GET /containers/{id}/json (abridged): a container started again. */
    static final String INSPECT = "{\"Id\":\"" + ID + "\",\"Created\":\"2024-11-28T18:36:37.4957461Z\","
            + "\"Path\":\"sleep\",\"Args\":[\"100000\"],\"State\":{\"Status\":\"running\",\"Running\":true,"
            + "\"Paused\":false,\"Restarting\":false,\"OOMKilled\":false,\"Dead\":false,\"Pid\":5757,"
            + "\"ExitCode\":0,\"Error\":\"\",\"StartedAt\":\"2024-11-28T18:36:37.677561716Z\","
            + "\"FinishedAt\":\"2024-11-28T18:36:30.1157461Z\"},\"Image\":\"sha256:3c30c29812a0\",\"Name\":\"/con1\","
            + "\"RestartCount\":0,\"HostConfig\":{\"NetworkMode\":\"default\",\"CapAdd\":null},"
            + "\"Config\":{\"Hostname\":\"3c29b7ae3f61\",\"Env\":null,\"Cmd\":[\"sleep\",\"100000\"],"
            + "\"Labels\":{}},\"NetworkSettings\":{\"SandboxKey\":\"/var/run/docker/netns/d7170a8dc9d7\","
            + "\"Networks\":{\"bridge\":{\"IPAddress\":\"172.17.0.2\",\"MacAddress\":\"02:42:ac:11:00:02\"}}}}";

    static final String INSPECT_STOPPED = INSPECT.replace("\"Running\":true", "\"Running\":false")
            .replace("\"Pid\":5757", "\"Pid\":0");

    record Request(String method, String target, Map<String, String> headers, String body) {
    }

    /**
     * A minimal stand-in for the Engine: accepts connections on a unix socket, reads one request
     * per connection, and writes back whatever bytes the responder returns (null: never answer).
     */
    static final class FakeEngine implements AutoCloseable {
        final Path socket;
        final ServerSocketChannel server;
        final Thread thread;
        final List<Request> requests = new CopyOnWriteArrayList<>();
        volatile Function<Request, byte[]> responder = r -> http(500, "{\"message\":\"no responder\"}");
        /** When positive, the answer is written in pieces of this size with pauses in between. */
        volatile int fragment;

        FakeEngine(Path socket) throws IOException {
            this.socket = socket;
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            thread = new Thread(this::serve, "fake-docker-engine");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve() {
            while (server.isOpen()) {
                try (SocketChannel ch = server.accept()) {
                    Request req = readRequest(ch);
                    if (req == null) {
                        continue;
                    }
                    requests.add(req);
                    byte[] answer = responder.apply(req);
                    if (answer == null) {
                        // Hold the connection open until the client gives up.
                        ByteBuffer sink = ByteBuffer.allocate(256);
                        while (ch.read(sink) >= 0) {
                            sink.clear();
                        }
                        continue;
                    }
                    int step = fragment > 0 ? fragment : answer.length;
                    for (int off = 0; off < answer.length; off += step) {
                        ch.write(ByteBuffer.wrap(answer, off, Math.min(step, answer.length - off)));
                        if (fragment > 0) {
                            Thread.sleep(1);
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    // closed by close(), or the client hung up
                }
            }
        }

        private static Request readRequest(SocketChannel ch) throws IOException {
            ByteArrayOutputStream acc = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(4096);
            int headEnd;
            while ((headEnd = acc.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n")) < 0) {
                if (ch.read(b) < 0) {
                    return null;
                }
                acc.write(b.array(), 0, b.position());
                b.clear();
            }
            String all = acc.toString(StandardCharsets.ISO_8859_1);
            String[] lines = all.substring(0, headEnd).split("\r\n");
            String[] requestLine = lines[0].split(" ");
            assertEquals("HTTP/1.1", requestLine[2]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, c).toLowerCase(Locale.ROOT), lines[i].substring(c + 1).strip());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] bytes = acc.toByteArray();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(bytes, headEnd + 4, bytes.length - headEnd - 4);
            while (body.size() < length) {
                if (ch.read(b) < 0) {
                    break;
                }
                body.write(b.array(), 0, b.position());
                b.clear();
            }
            return new Request(requestLine[0], requestLine[1], headers, body.toString(StandardCharsets.UTF_8));
        }

        @Override
        public void close() throws IOException {
            server.close();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static byte[] raw(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] http(int status, String jsonBody) {
        byte[] body = raw(jsonBody);
        String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + "Api-Version: 1.41\r\nContent-Type: application/json\r\nServer: Docker/20.10.24 (linux)\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] h = raw(head);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    static byte[] chunked(int status, String body, int chunkSize) {
        StringBuilder sb = new StringBuilder("HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        byte[] bytes = raw(body);
        List<String> pieces = new ArrayList<>();
        for (int off = 0; off < bytes.length; off += chunkSize) {
            int n = Math.min(chunkSize, bytes.length - off);
            pieces.add(Integer.toHexString(n) + (pieces.size() == 1 ? ";ext=1" : "") + "\r\n"
                    + new String(bytes, off, n, StandardCharsets.UTF_8) + "\r\n");
        }
        pieces.forEach(sb::append);
        sb.append("0\r\nX-Trailer: yes\r\n\r\n");
        return raw(sb.toString());
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            default -> "Internal Server Error";
        };
    }

    @TempDir
    Path dir;

    FakeEngine fake;
    DockerSocketEngine engine;

    @BeforeEach
    void start() throws IOException {
        fake = new FakeEngine(dir.resolve("docker.sock"));
        engine = new DockerSocketEngine(fake.socket, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws Exception {
        fake.close();
    }

    @Test
    void inspectWithContentLength() throws Exception {
        fake.responder = r -> http(200, INSPECT);
        Optional<DockerContainer> c = engine.inspect("con1");
        assertEquals(Optional.of(new DockerContainer(ID, "/con1", 5757, true)), c);

        Request req = fake.requests.get(0);
        assertEquals("GET", req.method());
        assertEquals("/containers/con1/json", req.target());
        assertNotNull(req.headers().get("host"));
        assertEquals("close", req.headers().get("connection"));
        assertEquals("3c29b7ae3f61", c.get().shortId());
    }

    @Test
    void aContainerThatNeverStoppedIsToldApart() throws Exception {
        fake.responder = r -> http(200, INSPECT.replace("2024-11-28T18:36:30.1157461Z", "0001-01-01T00:00:00Z"));
        assertFalse(engine.inspect("con1").orElseThrow().stoppedBefore());
        fake.responder = r -> http(200, INSPECT.replace(",\"FinishedAt\":\"2024-11-28T18:36:30.1157461Z\"", ""));
        assertTrue(engine.inspect("con1").orElseThrow().stoppedBefore(), "not said: it may have");
        fake.responder = r -> http(200, INSPECT);
        assertTrue(engine.inspect("con1").orElseThrow().stoppedBefore());
    }

    @Test
    void inspectChunkedArrivingInFragments() throws Exception {
        fake.responder = r -> chunked(200, INSPECT_STOPPED, 100);
        fake.fragment = 7;
        assertEquals(Optional.of(new DockerContainer(ID, "/con1", 0, false)), engine.inspect(ID));
        assertEquals("/containers/" + ID + "/json", fake.requests.get(0).target());
    }

    @Test
    void inspectChunkedInOneWrite() throws Exception {
        fake.responder = r -> chunked(200, INSPECT, 4096);
        assertEquals(5757, engine.inspect("con1").orElseThrow().pid());
    }

    @Test
    void inspectBodyDelimitedByClose() throws Exception {
        fake.responder = r -> raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
                + INSPECT);
        fake.fragment = 512;
        assertEquals("/con1", engine.inspect("con1").orElseThrow().name());
    }

    @Test
    void interimContinueIsSkipped() throws Exception {
        byte[] ok = http(200, INSPECT);
        fake.responder = r -> {
            byte[] cont = raw("HTTP/1.1 100 Continue\r\n\r\n");
            byte[] all = new byte[cont.length + ok.length];
            System.arraycopy(cont, 0, all, 0, cont.length);
            System.arraycopy(ok, 0, all, cont.length, ok.length);
            return all;
        };
        assertTrue(engine.inspect("con1").isPresent());
    }

    @Test
    void inspectNotFound() throws Exception {
        fake.responder = r -> http(404, "{\"message\":\"No such container: nope\"}");
        assertEquals(Optional.empty(), engine.inspect("nope"));
    }

    @Test
    void serverErrorCarriesEngineMessage() {
        fake.responder = r -> http(500, "{\"message\":\"devmapper: Unknown device\"}\n");
        DockerException e = assertThrows(DockerException.class, () -> engine.inspect("con1"));
        assertEquals(500, e.status());
        assertEquals("unix://" + fake.socket, e.endpoint());
        assertTrue(e.getMessage().contains("devmapper: Unknown device"), e.getMessage());
        assertTrue(e.getMessage().contains("GET /containers/con1/json"), e.getMessage());
        assertTrue(e.getMessage().contains(fake.socket.toString()), e.getMessage());
    }

    @Test
    void plainTextErrorBody() {
        fake.responder = r -> raw("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 18\r\n\r\n"
                + "missing Host hdr\r\n");
        DockerException e = assertThrows(DockerException.class, () -> engine.inspect("con1"));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("missing Host hdr"), e.getMessage());
    }

    @Test
    void namesAreEncodedAndLeadingSlashDropped() throws Exception {
        fake.responder = r -> http(404, "{\"message\":\"No such container\"}");
        engine.inspect("/con1");
        engine.inspect("we ird+name\u00e9");
        assertEquals("/containers/con1/json", fake.requests.get(0).target());
        assertEquals("/containers/we%20ird%2Bname%C3%A9/json", fake.requests.get(1).target());
        // These cannot name a container; the engine's router would only answer with a redirect.
        assertEquals(Optional.empty(), engine.inspect("a/b"));
        assertEquals(Optional.empty(), engine.inspect(".."));
        assertEquals(Optional.empty(), engine.inspect(""));
        assertEquals(2, fake.requests.size());
    }

    @Test
    void malformedInspectDocument() {
        fake.responder = r -> http(200, "{\"Id\":\"abc\"}");
        DockerException e = assertThrows(DockerException.class, () -> engine.inspect("con1"));
        assertTrue(e.getMessage().contains("State"), e.getMessage());
        fake.responder = r -> http(200, "[1,");
        assertThrows(DockerException.class, () -> engine.inspect("con1"));
    }

    @Test
    void truncatedBody() {
        fake.responder = r -> raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Id\":");
        DockerException e = assertThrows(DockerException.class, () -> engine.inspect("con1"));
        assertTrue(e.getMessage().contains("6 of 100"), e.getMessage());
    }

    @Test
    void garbageAnswer() {
        fake.responder = r -> raw("SSH-2.0-OpenSSH_9.2\r\n\r\n");
        DockerException e = assertThrows(DockerException.class, () -> engine.inspect("con1"));
        assertTrue(e.getMessage().contains("status line"), e.getMessage());
        fake.responder = r -> new byte[0];
        e = assertThrows(DockerException.class, () -> engine.inspect("con1"));
        assertTrue(e.getMessage().contains("without an answer"), e.getMessage());
    }

    @Test
    void hangingEngineTimesOut() {
        fake.responder = r -> null;
        DockerSocketEngine impatient = new DockerSocketEngine(fake.socket, Duration.ofMillis(300));
        long t0 = System.nanoTime();
        DockerException e = assertThrows(DockerException.class, () -> impatient.inspect("con1"));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(e.getMessage().endsWith(": timed out after 300 ms reading the answer"), e.getMessage());
        assertTrue(ms >= 250 && ms < 3000, "took " + ms + " ms");
    }

    @Test
    void missingSocket() {
        DockerSocketEngine absent = new DockerSocketEngine(dir.resolve("absent.sock"));
        assertFalse(absent.isAvailable());
        assertTrue(engine.isAvailable());
        DockerException e = assertThrows(DockerException.class, () -> absent.inspect("con1"));
        assertTrue(e.getMessage().contains("absent.sock"), e.getMessage());
        assertTrue(e.getMessage().contains(": connecting failed: "), e.getMessage());
        assertEquals(-1, e.status());
    }

    @Test
    void createAndStart() throws Exception {
        fake.responder = r -> r.target().startsWith("/containers/create")
                ? http(201, "{\"Id\":\"" + ID + "\",\"Warnings\":[]}")
                : raw("HTTP/1.1 204 No Content\r\nServer: Docker\r\n\r\n");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Image", "busybox");
        body.put("Cmd", List.of("sleep", "1000"));
        body.put("HostConfig", Map.of("NetworkMode", "none"));
        assertEquals(ID, engine.createAndStart("web 1", body));

        Request create = fake.requests.get(0);
        assertEquals("POST", create.method());
        assertEquals("/containers/create?name=web%201", create.target());
        assertEquals("application/json", create.headers().get("content-type"));
        assertEquals(body, Json.parse(create.body()));
        Request start = fake.requests.get(1);
        assertEquals("POST", start.method());
        assertEquals("/containers/" + ID + "/start", start.target());
        assertEquals(2, fake.requests.size());

        engine.createAndStart(Map.of("Image", "busybox"));
        assertEquals("/containers/create", fake.requests.get(2).target());
    }

    @Test
    void failedStartRemovesTheContainer() {
        fake.responder = r -> {
            if (r.target().startsWith("/containers/create")) {
                return http(201, "{\"Id\":\"" + ID + "\",\"Warnings\":[]}");
            }
            if (r.method().equals("DELETE")) {
                return raw("HTTP/1.1 204 No Content\r\n\r\n");
            }
            return http(500, "{\"message\":\"OCI runtime create failed: exec: \\\"nope\\\": not found\"}");
        };
        DockerException e = assertThrows(DockerException.class,
                () -> engine.createAndStart(Map.of("Image", "busybox", "Cmd", List.of("nope"))));
        assertTrue(e.getMessage().contains("OCI runtime create failed: exec: \"nope\""), e.getMessage());
        assertEquals(3, fake.requests.size());
        assertEquals("DELETE", fake.requests.get(2).method());
        assertEquals("/containers/" + ID + "?force=true", fake.requests.get(2).target());
    }

    @Test
    void createOfMissingImage() {
        fake.responder = r -> http(404, "{\"message\":\"No such image: nope:latest\"}");
        DockerException e = assertThrows(DockerException.class,
                () -> engine.createAndStart(Map.of("Image", "nope")));
        assertEquals(404, e.status());
        assertTrue(e.getMessage().contains("No such image: nope:latest"), e.getMessage());
    }

    @Test
    void remove() throws Exception {
        fake.responder = r -> raw("HTTP/1.1 204 No Content\r\n\r\n");
        assertTrue(engine.remove("con1", true));
        assertEquals("DELETE", fake.requests.get(0).method());
        assertEquals("/containers/con1?force=true", fake.requests.get(0).target());
        assertTrue(engine.remove("/con1", false));
        assertEquals("/containers/con1?force=false", fake.requests.get(1).target());

        fake.responder = r -> http(404, "{\"message\":\"No such container: con1\"}");
        assertFalse(engine.remove("con1", true));

        fake.responder = r -> http(409, "{\"message\":\"You cannot remove a running container\"}");
        DockerException e = assertThrows(DockerException.class, () -> engine.remove("con1", false));
        assertEquals(409, e.status());
        assertTrue(e.getMessage().contains("cannot remove a running container"), e.getMessage());
    }

    @Test
    void socketFromEnvironment() {
        assertEquals(Optional.of(Path.of("/var/run/docker.sock")),
                DockerSocketEngine.socketFromEnvironment(Map.of()));
        assertEquals(Optional.of(Path.of("/var/run/docker.sock")),
                DockerSocketEngine.socketFromEnvironment(Map.of("DOCKER_HOST", "")));
        assertEquals(Optional.of(Path.of("/run/user/1000/docker.sock")),
                DockerSocketEngine.socketFromEnvironment(Map.of("DOCKER_HOST", "unix:///run/user/1000/docker.sock")));
        assertEquals(Optional.empty(),
                DockerSocketEngine.socketFromEnvironment(Map.of("DOCKER_HOST", "tcp://10.0.0.1:2375")));
        assertEquals(Optional.empty(),
                DockerSocketEngine.socketFromEnvironment(Map.of("DOCKER_HOST", "ssh://me@host")));
    }

    @Test
    void detectPrefersTheSocket() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        DockerEngine viaSocket = Docker.detect(Map.of("DOCKER_HOST", "unix://" + fake.socket, "PATH", bin.toString()), new ProcessCommandRunner());
        assertInstanceOf(DockerSocketEngine.class, viaSocket);
        assertEquals(fake.socket, ((DockerSocketEngine) viaSocket).socket());

        DockerEngine none = Docker.detect(Map.of("DOCKER_HOST", "unix://" + dir.resolve("absent.sock"),
                "PATH", bin.toString()), new ProcessCommandRunner());
        assertSame(Docker.unavailable(), none);
        assertFalse(none.isAvailable());
        assertEquals(Optional.empty(), none.inspect("con1"));
        assertFalse(none.remove("con1", true));
        assertThrows(DockerException.class, () -> none.createAndStart(Map.of("Image", "busybox")));

        Path docker = fakeDockerScript(bin, "exit 0");
        DockerEngine viaCli = Docker.detect(Map.of("DOCKER_HOST", "tcp://127.0.0.1:1", "PATH", bin.toString()), new ProcessCommandRunner());
        assertInstanceOf(DockerCliEngine.class, viaCli);
        assertTrue(viaCli.isAvailable());
        assertTrue(viaCli.endpoint().contains(docker.toString()), viaCli.endpoint());
    }

    static Path fakeDockerScript(Path bin, String body) throws IOException {
        Path docker = bin.resolve("docker");
        Files.writeString(docker, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));
        return docker;
    }

    /** The CLI fallback, driven against a stand-in {@code docker} program. */
    @Nested
    class CliFallback {

        Path bin;
        Path argsFile;

        @BeforeEach
        void setUp() throws IOException {
            bin = Files.createDirectories(dir.resolve("clibin"));
            argsFile = dir.resolve("args");
        }

        DockerCliEngine cli(String script) throws IOException {
            Path docker = fakeDockerScript(bin, "printf '%s\\n' \"$@\" >> '" + argsFile + "'\n" + script);
            return new DockerCliEngine(docker.toString(), Duration.ofSeconds(5), new ProcessCommandRunner());
        }

        List<String> args() throws IOException {
            return Files.readAllLines(argsFile);
        }

        @Test
        void inspectFound() throws Exception {
            Path json = dir.resolve("inspect.json");
            Files.writeString(json, INSPECT + "\n");
            DockerCliEngine engine = cli("cat '" + json + "'");
            assertTrue(engine.isAvailable());
            assertEquals(Optional.of(new DockerContainer(ID, "/con1", 5757, true)), engine.inspect("con1"));
            assertEquals(List.of("inspect", "--type", "container", "--format", "{{json .}}", "--", "con1"), args());
        }

        @Test
        void inspectMissing() throws Exception {
            DockerCliEngine engine = cli("echo; echo 'Error response from daemon: No such container: x' >&2; exit 1");
            assertEquals(Optional.empty(), engine.inspect("x"));
            DockerCliEngine older = cli("echo 'Error: No such object: x' >&2; exit 1");
            assertEquals(Optional.empty(), older.inspect("x"));
        }

        /** podman's inspect prints an array of one pretty-printed document, its name bare; a miss in lower case. */
        @Test
        void podmanShapedCli() throws Exception {
            Path json = dir.resolve("inspect.json");
            Files.writeString(json, "[\n     " + INSPECT.replace("\"Name\":\"/con1\"", "\"Name\":\"con1\"") + "\n]\n");
            DockerCliEngine engine = cli("cat '" + json + "'");
            assertEquals(Optional.of(new DockerContainer(ID, "con1", 5757, true)), engine.inspect("con1"));
            DockerCliEngine missing = cli("echo 'Error: inspecting object: no such container x' >&2; exit 125");
            assertEquals(Optional.empty(), missing.inspect("x"));
        }

        @Test
        void inspectFailure() throws Exception {
            DockerCliEngine engine = cli("echo 'permission denied while trying to connect' >&2; exit 1");
            DockerException e = assertThrows(DockerException.class, () -> engine.inspect("x"));
            assertTrue(e.getMessage().contains("permission denied while trying to connect"), e.getMessage());
            assertTrue(e.getMessage().contains("status 1"), e.getMessage());
        }

        @Test
        void hangingCliIsKilled() throws Exception {
            Path docker = fakeDockerScript(bin, "exec sleep 30");
            DockerCliEngine engine = new DockerCliEngine(docker.toString(), Duration.ofMillis(300), new ProcessCommandRunner());
            long t0 = System.nanoTime();
            DockerException e = assertThrows(DockerException.class, () -> engine.inspect("x"));
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 5000);
            assertTrue(e.getMessage().contains("no answer"), e.getMessage());
        }

        @Test
        void missingBinary() {
            DockerCliEngine engine = new DockerCliEngine(dir.resolve("nope/docker").toString(), Duration.ofSeconds(1), new ProcessCommandRunner());
            assertFalse(engine.isAvailable());
            assertThrows(DockerException.class, () -> engine.inspect("x"));
            assertEquals(Optional.empty(), DockerCliEngine.findOnPath("docker", bin.toString()));
        }

        @Test
        void createStartRemove() throws Exception {
            DockerCliEngine engine = cli("case \"$1\" in create) echo " + ID + ";; esac");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("Image", "busybox");
            body.put("Entrypoint", List.of("/bin/sh", "-c"));
            body.put("Cmd", List.of("sleep 1000"));
            body.put("Env", List.of("A=1"));
            body.put("Labels", Map.of("k", "v"));
            body.put("HostConfig", Map.of("NetworkMode", "none", "CapAdd", List.of("NET_ADMIN"),
                    "Privileged", false));
            assertEquals(ID, engine.createAndStart("web", body));
            assertEquals(List.of("create", "--name", "web", "--env", "A=1", "--label", "k=v",
                    "--network", "none", "--cap-add", "NET_ADMIN", "--entrypoint", "/bin/sh",
                    "--", "busybox", "-c", "sleep 1000",
                    "start", "--", ID), args());
            assertTrue(engine.remove(ID, true));
            assertEquals(List.of("rm", "-f", "--", ID), args().subList(args().size() - 4, args().size()));

            DockerCliEngine gone = cli("echo 'Error response from daemon: No such container: x' >&2; exit 0");
            assertFalse(gone.remove("x", true));
        }

        @Test
        void unsupportedCreateFieldsAreRefused() throws Exception {
            DockerCliEngine engine = cli("exit 0");
            DockerException e = assertThrows(DockerException.class,
                    () -> engine.createAndStart(Map.of("Image", "busybox", "Healthcheck", Map.of(),
                            "HostConfig", Map.of("Memory", 1))));
            assertTrue(e.getMessage().contains("[Healthcheck, HostConfig.Memory]"), e.getMessage());
            assertFalse(Files.exists(argsFile));
        }

        @Test
        void failedStartRemovesTheContainer() throws Exception {
            DockerCliEngine engine = cli("case \"$1\" in create) echo " + ID + ";;"
                    + " start) echo 'Error response from daemon: failed to create task' >&2; exit 1;; esac");
            DockerException e = assertThrows(DockerException.class,
                    () -> engine.createAndStart(Map.of("Image", "busybox")));
            assertTrue(e.getMessage().contains("failed to create task"), e.getMessage());
            List<String> a = args();
            assertEquals(List.of("rm", "-f", "--", ID), a.subList(a.size() - 4, a.size()));
        }
    }

    /**
     * Cross-check against a live engine: on a container of its own where the test image is here
     * (scripts/test-env builds it), else on any running container, else not at all.
     */
    @Test
    void agreesWithDockerInspectOnARealEngine() throws Exception {
        Path sock = Path.of("/var/run/docker.sock");
        assumeTrue(Files.exists(sock), "no Docker socket");
        assumeTrue(DockerCliEngine.findOnPath("docker", System.getenv("PATH")).isPresent(), "no docker CLI");
        List<String> own = runDocker("run", "-d", "--rm", "--net=none", "pipework-test/busybox:latest", "sleep", "120");
        try {
            agreesWithDockerInspectOn(sock, own != null && own.size() == 1 ? own : runDocker("ps", "-q", "--no-trunc"));
        } finally {
            if (own != null && own.size() == 1) {
                runDocker("rm", "-f", own.get(0).strip());
            }
        }
    }

    private static void agreesWithDockerInspectOn(Path sock, List<String> ps) throws Exception {
        assumeTrue(ps != null && !ps.isEmpty(), "no running container, and no test image pipework-test/busybox:latest");
        String id = ps.get(0).strip();
        List<String> expected = runDocker("inspect", "--type", "container", "--format",
                "{{.Id}}|{{.Name}}|{{.State.Pid}}|{{.State.Running}}|{{.State.FinishedAt}}|{{json .Config.Labels}}", id);
        assumeTrue(expected != null && expected.size() == 1, "docker inspect failed");
        String[] f = expected.get(0).split("\\|", 6);
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        if (dev.pipework.json.Json.parse(f[5]) instanceof Map<?, ?> m) {
            m.forEach((k, v) -> labels.put((String) k, (String) v));
        }
        DockerContainer want = new DockerContainer(f[0], f[1], Integer.parseInt(f[2]), Boolean.parseBoolean(f[3]),
                labels, !f[4].equals("0001-01-01T00:00:00Z"));

        DockerSocketEngine real = new DockerSocketEngine(sock);
        assertEquals(Optional.of(want), real.inspect(id));
        assertEquals(Optional.of(want), real.inspect(want.name()));
        assertEquals(Optional.of(want), real.inspect(want.name().substring(1)));
        assertEquals(Optional.of(want), real.inspect(want.shortId()));
        assertEquals(Optional.of(want), new DockerCliEngine(new ProcessCommandRunner()).inspect(want.name().substring(1)));
        assertEquals(Optional.empty(), real.inspect("pipework-no-such-container-" + System.nanoTime()));
        assertEquals(Optional.empty(), new DockerCliEngine(new ProcessCommandRunner()).inspect("pipework-no-such-container-" + System.nanoTime()));
    }

    private static List<String> runDocker(String... args) throws Exception {
        List<String> argv = new ArrayList<>();
        argv.add("docker");
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            return null;
        }
        return new String(out, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }
}

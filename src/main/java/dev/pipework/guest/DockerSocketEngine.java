package dev.pipework.guest;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Docker Engine API client speaking HTTP/1.1 over the engine's unix-domain socket.
 *
 * <p>One connection per request ({@code Connection: close}); every request, from connect to
 * the last byte of the answer, must complete within the timeout. Unversioned API paths are used,
 * so the engine serves its own current API version.
 */
public final class DockerSocketEngine implements DockerEngine {

    public static final Path DEFAULT_SOCKET = Path.of("/var/run/docker.sock");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** Answers larger than this are refused rather than buffered. */
    static final int MAX_RESPONSE_BYTES = 64 << 20;

    private final Path socket;
    private final Duration timeout;

    /** The socket named by {@code DOCKER_HOST} ({@code unix://...}), else the default socket. */
    public DockerSocketEngine() {
        this(socketFromEnvironment(System.getenv()).orElse(DEFAULT_SOCKET));
    }

    public DockerSocketEngine(Path socket) {
        this(socket, DEFAULT_TIMEOUT);
    }

    public DockerSocketEngine(Path socket, Duration timeout) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    /**
     * The engine socket selected by the environment: the path of a {@code unix://} {@code DOCKER_HOST},
     * {@link #DEFAULT_SOCKET} when {@code DOCKER_HOST} is unset or empty, and empty for any other
     * scheme (tcp://, ssh://, ...), which only the docker CLI can follow.
     */
    public static Optional<Path> socketFromEnvironment(Map<String, String> env) {
        String host = env.get("DOCKER_HOST");
        if (host == null || host.isBlank()) {
            return Optional.of(DEFAULT_SOCKET);
        }
        host = host.strip();
        if (host.startsWith("unix://")) {
            String path = host.substring("unix://".length());
            return path.isEmpty() ? Optional.of(DEFAULT_SOCKET) : Optional.of(Path.of(path));
        }
        return Optional.empty();
    }

    public Path socket() {
        return socket;
    }

    /** The group that owns the socket file, by name when it has one. */
    private static String group(Path file) {
        try {
            return java.nio.file.Files.readAttributes(file, java.nio.file.attribute.PosixFileAttributes.class)
                    .group().getName();
        } catch (IOException | RuntimeException e) {
            return "(unknown)";
        }
    }

    @Override
    public String endpoint() {
        return "unix://" + socket;
    }

    @Override
    public boolean isAvailable() {
        return Files.exists(socket);
    }

    @Override
    public Optional<DockerContainer> inspect(String nameOrId) throws DockerException {
        String segment = pathSegment(nameOrId);
        if (segment == null) {
            return Optional.empty();
        }
        String target = "/containers/" + segment + "/json";
        HttpAnswer.Response r = exchange("GET", target, null);
        if (r.status() == 404) {
            return Optional.empty();
        }
        expect(r, "GET", target, 200);
        try {
            return Optional.of(DockerContainer.fromInspect(Json.object(Json.parse(r.text()))));
        } catch (JsonException e) {
            throw new DockerException(endpoint(), "GET " + target + ": unexpected answer: " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> idsWithLabel(String key, String value) throws DockerException {
        String filters = Json.write(Map.of("label", List.of(key + "=" + value)));
        return ids("/containers/json?all=1&filters=" + encode(filters));
    }

    @Override
    public List<String> runningIds() throws DockerException {
        return ids("/containers/json");
    }

    private List<String> ids(String target) throws DockerException {
        HttpAnswer.Response r = exchange("GET", target, null);
        expect(r, "GET", target, 200);
        try {
            List<String> ids = new java.util.ArrayList<>();
            for (Object o : Json.array(Json.parse(r.text()))) {
                ids.add(Json.string(Json.object(o), "Id"));
            }
            return ids;
        } catch (JsonException e) {
            throw new DockerException(endpoint(), "GET " + target + ": unexpected answer: " + e.getMessage(), e);
        }
    }

    @Override
    public String createAndStart(String name, Map<String, Object> createBody) throws DockerException {
        Objects.requireNonNull(createBody, "createBody");
        String create = "/containers/create" + (name == null ? "" : "?name=" + encode(name));
        byte[] body;
        try {
            body = Json.write(createBody).getBytes(StandardCharsets.UTF_8);
        } catch (JsonException e) {
            throw new IllegalArgumentException("create body is not writable as JSON: " + e.getMessage(), e);
        }
        HttpAnswer.Response r = exchange("POST", create, body);
        expect(r, "POST", create, 201, 200);
        String id;
        try {
            id = Json.string(Json.object(Json.parse(r.text())), "Id");
        } catch (JsonException e) {
            throw new DockerException(endpoint(), "POST " + create + ": unexpected answer: " + e.getMessage(), e);
        }
        if (id == null || id.isEmpty()) {
            throw new DockerException(endpoint(), "POST " + create + ": answer has no container Id");
        }
        String start = "/containers/" + encode(id) + "/start";
        try {
            // 304: already started, which is what was asked for.
            expect(exchange("POST", start, new byte[0]), "POST", start, 204, 304, 200);
        } catch (DockerException e) {
            try {
                remove(id, true);
            } catch (DockerException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return id;
    }

    @Override
    public boolean remove(String nameOrId, boolean force) throws DockerException {
        String segment = pathSegment(nameOrId);
        if (segment == null) {
            return false;
        }
        String target = "/containers/" + segment + "?force=" + force;
        HttpAnswer.Response r = exchange("DELETE", target, null);
        if (r.status() == 404) {
            return false;
        }
        expect(r, "DELETE", target, 204, 200);
        return true;
    }

    /**
     * The URL path segment for a container reference, or null for a reference that cannot name
     * a container. The engine's router cleans paths before routing, so an encoded slash
     * ({@code %2Fcon1}) or a {@code .}/{@code ..} segment earns a 301 redirect rather than a
     * lookup; the name's leading slash is therefore dropped (the engine adds it back when
     * resolving names).
     */
    private static String pathSegment(String nameOrId) {
        Objects.requireNonNull(nameOrId, "nameOrId");
        String s = nameOrId.startsWith("/") ? nameOrId.substring(1) : nameOrId;
        if (s.isEmpty() || s.contains("/") || s.equals(".") || s.equals("..")) {
            return null;
        }
        return encode(s);
    }

    private static String encode(String s) {
        // URLEncoder does form encoding, where a space becomes '+'; in a path '+' is literal.
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private void expect(HttpAnswer.Response r, String method, String target, int... ok) throws DockerException {
        for (int code : ok) {
            if (r.status() == code) {
                return;
            }
        }
        throw new DockerException(endpoint(), r.status(),
                method + " " + target + ": HTTP " + r.status()
                        + (r.reason().isEmpty() ? "" : " " + r.reason()) + ": " + engineMessage(r),
                null);
    }

    /** The engine reports errors as {@code {"message":"..."}}; fall back to the raw body. */
    private static String engineMessage(HttpAnswer.Response r) {
        String text = r.text().strip();
        try {
            Object message = Json.at(Json.parse(text), "message");
            if (message instanceof String m && !m.isBlank()) {
                return m;
            }
        } catch (JsonException notJson) {
            // plain-text body, e.g. "404 page not found" from the router
        }
        if (text.isEmpty()) {
            return "(no message)";
        }
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }

    // ------------------------------------------------------------------ HTTP/1.1

    HttpAnswer.Response exchange(String method, String target, byte[] body) throws DockerException {
        String what = method + " " + target;
        StringBuilder head = new StringBuilder()
                .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                // HTTP/1.1 requires Host; the engine ignores its value.
                .append("Host: docker\r\n")
                .append("User-Agent: pipework\r\n")
                .append("Accept: application/json\r\n")
                .append("Connection: close\r\n");
        if (body != null) {
            if (body.length > 0) {
                head.append("Content-Type: application/json\r\n");
            }
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(headBytes.length + (body == null ? 0 : body.length));
        out.put(headBytes);
        if (body != null) {
            out.put(body);
        }
        out.flip();

        HttpAnswer.ResponseReader reader = new HttpAnswer.ResponseReader(method.equals("HEAD"));
        try {
            return UnixExchange.exchange(socket, out, timeout, new UnixExchange.Answer<HttpAnswer.Response>() {
                @Override
                public HttpAnswer.Response take(byte[] bytes, int length) throws IOException {
                    reader.append(bytes, length);
                    return reader.complete();
                }

                @Override
                public HttpAnswer.Response atEnd() throws IOException {
                    return reader.atEof();
                }
            });
        } catch (HttpAnswer.ProtocolError e) {
            throw new DockerException(endpoint(), what + ": malformed HTTP answer: " + e.getMessage(), e);
        } catch (UnixExchange.TimedOut e) {
            throw new DockerException(endpoint(), what + ": timed out after " + timeout.toMillis() + " ms " + e.step());
        } catch (UnixExchange.StepFailed e) {
            String reason = e.getMessage();
            if (reason.contains("Permission denied") || e.getCause() instanceof java.nio.file.AccessDeniedException) {
                // connect(2) on a socket file this user may not write: the engine is there, the way in is closed.
                throw new DockerException(endpoint(), "no access to the engine's socket " + socket
                        + ": reading a container needs read access to it (run as root, or as a member of the"
                        + " socket's group " + group(socket) + ")", null);
            }
            throw new DockerException(endpoint(), what + ": " + e.step() + " failed: " + reason, null);
        } catch (IOException e) {
            throw new DockerException(endpoint(), what + ": " + UnixExchange.READING + " failed: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), null);
        }
    }

}

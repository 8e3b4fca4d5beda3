package dev.pipework.guest;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

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
        Response r = exchange("GET", target, null);
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
        Response r = exchange("GET", target, null);
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
        Response r = exchange("POST", create, body);
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
        Response r = exchange("DELETE", target, null);
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

    private void expect(Response r, String method, String target, int... ok) throws DockerException {
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
    private static String engineMessage(Response r) {
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

    record Response(int status, String reason, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    Response exchange(String method, String target, byte[] body) throws DockerException {
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

        long deadline = System.nanoTime() + timeout.toNanos();
        String step = "connecting";
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            ch.configureBlocking(false);
            SelectionKey key = ch.register(selector, 0);
            if (!ch.connect(UnixDomainSocketAddress.of(socket))) {
                // A unix socket connect only pends when the listener's backlog is full.
                while (!ch.finishConnect()) {
                    await(selector, key, SelectionKey.OP_CONNECT, deadline, what, step);
                }
            }
            step = "sending the request";
            while (out.hasRemaining()) {
                if (ch.write(out) == 0) {
                    await(selector, key, SelectionKey.OP_WRITE, deadline, what, step);
                }
            }
            step = "reading the answer";
            ResponseReader reader = new ResponseReader(method.equals("HEAD"));
            ByteBuffer in = ByteBuffer.allocate(16 * 1024);
            while (true) {
                int n = ch.read(in);
                if (n < 0) {
                    return reader.atEof();
                }
                if (n == 0) {
                    await(selector, key, SelectionKey.OP_READ, deadline, what, step);
                    continue;
                }
                reader.append(in.array(), in.position());
                in.clear();
                Response r = reader.complete();
                if (r != null) {
                    return r;
                }
            }
        } catch (ProtocolError e) {
            throw new DockerException(endpoint(), what + ": malformed HTTP answer: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DockerException(endpoint(), what + ": " + step + " failed: " + e, e);
        }
    }

    private void await(Selector selector, SelectionKey key, int ops, long deadline, String what, String step)
            throws IOException, DockerException {
        key.interestOps(ops);
        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new DockerException(endpoint(),
                        what + ": timed out after " + timeout.toMillis() + " ms " + step);
            }
            // select(0) would wait forever; round a sub-millisecond remainder up.
            int ready = selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
            selector.selectedKeys().clear();
            if (ready > 0) {
                key.interestOps(0);
                return;
            }
        }
    }

    static final class ProtocolError extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolError(String message) {
            super(message);
        }
    }

    /**
     * Accumulates the bytes of one answer and decides when it is complete: after
     * {@code Content-Length} bytes, after the last chunk of a chunked body, or at end of stream
     * when neither framing is given.
     */
    static final class ResponseReader {
        private static final byte[] CRLF = {'\r', '\n'};
        private static final byte[] CRLFCRLF = {'\r', '\n', '\r', '\n'};

        private final boolean headRequest;
        private byte[] buf = new byte[16 * 1024];
        private int len;
        /** Start of the current (non-interim) response in buf. */
        private int start;
        private int headerScan;

        private int status = -1;
        private String reason;
        private Map<String, String> headers;
        private int bodyStart;
        private boolean chunked;
        private long contentLength = -1;

        ResponseReader(boolean headRequest) {
            this.headRequest = headRequest;
        }

        void append(byte[] data, int n) throws ProtocolError {
            if (len + n > MAX_RESPONSE_BYTES) {
                throw new ProtocolError("answer larger than " + MAX_RESPONSE_BYTES + " bytes");
            }
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(len + n, buf.length * 2));
            }
            System.arraycopy(data, 0, buf, len, n);
            len += n;
        }

        /** The answer if all of it has arrived, else null. */
        Response complete() throws ProtocolError {
            if (!parseHead()) {
                return null;
            }
            if (!hasBody()) {
                return response(new byte[0]);
            }
            if (chunked) {
                // The chunked framing always ends with an empty line; only then try to decode.
                if (len - bodyStart < 5 || !endsWith(CRLFCRLF)) {
                    return null;
                }
                byte[] body = dechunk();
                return body == null ? null : response(body);
            }
            if (contentLength >= 0 && len - bodyStart >= contentLength) {
                return response(Arrays.copyOfRange(buf, bodyStart, bodyStart + (int) contentLength));
            }
            return null;
        }

        /** The peer closed the connection. */
        Response atEof() throws ProtocolError {
            if (!parseHead()) {
                throw new ProtocolError(len == 0
                        ? "connection closed without an answer"
                        : "connection closed inside the response header");
            }
            Response r = complete();
            if (r != null) {
                return r;
            }
            if (chunked) {
                throw new ProtocolError("connection closed inside a chunked body");
            }
            if (contentLength >= 0) {
                throw new ProtocolError("connection closed after " + (len - bodyStart) + " of "
                        + contentLength + " body bytes");
            }
            return response(Arrays.copyOfRange(buf, bodyStart, len));
        }

        private Response response(byte[] body) {
            return new Response(status, reason, headers, body);
        }

        private boolean hasBody() {
            // RFC 9112 section 6.3: these never carry a body whatever the headers say.
            return !(headRequest || status == 204 || status == 304 || (status >= 100 && status < 200));
        }

        private boolean parseHead() throws ProtocolError {
            while (status < 0 || (status >= 100 && status < 200)) {
                if (status >= 100) {
                    // Interim answer (e.g. 100 Continue): the final one follows it.
                    start = bodyStart;
                    headerScan = start;
                    status = -1;
                }
                int end = indexOf(CRLFCRLF, Math.max(start, headerScan - 3));
                if (end < 0) {
                    headerScan = len;
                    if (len - start > 64 * 1024) {
                        throw new ProtocolError("response header longer than 64 KiB");
                    }
                    return false;
                }
                parseHeaderBlock(new String(buf, start, end - start, StandardCharsets.ISO_8859_1));
                bodyStart = end + 4;
            }
            return true;
        }

        private void parseHeaderBlock(String block) throws ProtocolError {
            String[] lines = block.split("\r\n", -1);
            String statusLine = lines[0];
            // "HTTP/1.1 200 OK"; the reason phrase may be empty or absent.
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' '
                    || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
                throw new ProtocolError("bad status line: " + abbreviate(statusLine));
            }
            int code;
            try {
                code = Integer.parseInt(statusLine.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new ProtocolError("bad status line: " + abbreviate(statusLine));
            }
            if (code < 100 || code > 999) {
                throw new ProtocolError("bad status code: " + code);
            }
            Map<String, String> h = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new ProtocolError("bad header line: " + abbreviate(line));
                }
                String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).strip();
                h.merge(name, value, (a, b) -> a + ", " + b);
            }
            status = code;
            reason = statusLine.length() > 13 ? statusLine.substring(13).strip() : "";
            headers = h;
            chunked = false;
            contentLength = -1;
            String te = h.get("transfer-encoding");
            if (te != null) {
                String[] codings = te.toLowerCase(Locale.ROOT).split(",");
                if (!codings[codings.length - 1].strip().equals("chunked")) {
                    throw new ProtocolError("unsupported Transfer-Encoding: " + te);
                }
                // With Transfer-Encoding present, Content-Length must be ignored.
                chunked = true;
                if (codings.length > 1) {
                    throw new ProtocolError("unsupported Transfer-Encoding: " + te);
                }
            } else if (h.containsKey("content-length")) {
                String cl = h.get("content-length");
                // Repeated identical values arrive merged as "n, n".
                String[] values = cl.split(",");
                long v = -1;
                for (String s : values) {
                    long parsed;
                    try {
                        parsed = Long.parseLong(s.strip());
                    } catch (NumberFormatException e) {
                        throw new ProtocolError("bad Content-Length: " + cl);
                    }
                    if (parsed < 0 || (v >= 0 && parsed != v)) {
                        throw new ProtocolError("bad Content-Length: " + cl);
                    }
                    v = parsed;
                }
                if (v > MAX_RESPONSE_BYTES) {
                    throw new ProtocolError("answer larger than " + MAX_RESPONSE_BYTES + " bytes");
                }
                contentLength = v;
            }
        }

        /** The decoded chunked body, or null if more bytes are needed. */
        private byte[] dechunk() throws ProtocolError {
            byte[] out = new byte[Math.max(0, len - bodyStart)];
            int outLen = 0;
            int p = bodyStart;
            while (true) {
                int eol = indexOf(CRLF, p);
                if (eol < 0) {
                    return null;
                }
                String sizeLine = new String(buf, p, eol - p, StandardCharsets.ISO_8859_1);
                int semi = sizeLine.indexOf(';');
                String hex = (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).strip();
                int size;
                try {
                    if (hex.isEmpty() || hex.length() > 8 || hex.startsWith("-") || hex.startsWith("+")) {
                        throw new NumberFormatException();
                    }
                    size = Integer.parseInt(hex, 16);
                } catch (NumberFormatException e) {
                    throw new ProtocolError("bad chunk size line: " + abbreviate(sizeLine));
                }
                if (size < 0 || size > MAX_RESPONSE_BYTES) {
                    throw new ProtocolError("bad chunk size: " + abbreviate(sizeLine));
                }
                p = eol + 2;
                if (size == 0) {
                    // Optional trailer fields, then an empty line.
                    while (true) {
                        int t = indexOf(CRLF, p);
                        if (t < 0) {
                            return null;
                        }
                        if (t == p) {
                            return Arrays.copyOf(out, outLen);
                        }
                        p = t + 2;
                    }
                }
                if (len - p < size + 2) {
                    return null;
                }
                if (buf[p + size] != '\r' || buf[p + size + 1] != '\n') {
                    throw new ProtocolError("chunk not followed by CRLF");
                }
                System.arraycopy(buf, p, out, outLen, size);
                outLen += size;
                p += size + 2;
            }
        }

        private boolean endsWith(byte[] suffix) {
            if (len < suffix.length) {
                return false;
            }
            for (int i = 0; i < suffix.length; i++) {
                if (buf[len - suffix.length + i] != suffix[i]) {
                    return false;
                }
            }
            return true;
        }

        private int indexOf(byte[] needle, int from) {
            outer:
            for (int i = Math.max(0, from); i <= len - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (buf[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }

        private static String abbreviate(String s) {
            return s.length() > 80 ? s.substring(0, 80) + "..." : s;
        }
    }
}

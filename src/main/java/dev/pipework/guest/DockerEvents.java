package dev.pipework.guest;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's event stream ({@code GET /events?filters=...}) over its unix socket: one long-lived
 * connection whose answer never ends, read incrementally, one JSON object per line, in a chunked
 * body (Docker) or a body that runs to the end of the connection. Docker and podman's
 * Docker-compatible socket both serve it.
 *
 * <p>{@link #next} waits at most the time it is given; {@link #wake} (from any thread) makes it
 * return at once, so that a loop around it can stop.
 */
public final class DockerEvents implements Closeable {

    /** One event: {@code Type}, {@code Action}, the actor's ID and attributes (a container's name and labels). */
    public record Event(String type, String action, String id, Map<String, String> attributes) {
        public String name() {
            return attributes.getOrDefault("name", id.length() > 12 ? id.substring(0, 12) : id);
        }
    }

    private static final int MAX_LINE = 4 << 20;

    private final String endpoint;
    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final ArrayDeque<Event> ready = new ArrayDeque<>();
    private boolean headRead;
    /** Set when the head was just read, so that {@link #awaitAnswer} returns then. */
    private boolean headSignal;
    private boolean chunked;
    /** Bytes left in the current chunk; -1 while a chunk-size line is expected. */
    private long chunkLeft = -1;
    private boolean ended;

    private DockerEvents(String endpoint, SocketChannel channel, Selector selector, SelectionKey key) {
        this.endpoint = endpoint;
        this.channel = channel;
        this.selector = selector;
        this.key = key;
    }

    /**
     * Connects and sends the request; the answer's head is read by the first {@link #next}.
     *
     * @param filters the engine's filters, e.g. {@code {"type":["container"],"event":["start","die"]}}
     */
    public static DockerEvents open(Path socket, Map<String, List<String>> filters) throws DockerException {
        String endpoint = "unix://" + socket;
        String target = "/events?filters=" + URLEncoder.encode(Json.write(filters), StandardCharsets.UTF_8)
                .replace("+", "%20");
        SocketChannel ch = null;
        Selector sel = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer request = ByteBuffer.wrap(("GET " + target + " HTTP/1.1\r\nHost: docker\r\n"
                    + "User-Agent: pipework\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            while (request.hasRemaining()) {
                ch.write(request);
            }
            ch.configureBlocking(false);
            sel = Selector.open();
            SelectionKey key = ch.register(sel, SelectionKey.OP_READ);
            return new DockerEvents(endpoint, ch, sel, key);
        } catch (IOException e) {
            closeQuietly(ch);
            closeQuietly(sel);
            throw new DockerException(endpoint, "GET /events: connecting failed: " + e, e);
        }
    }

    /**
     * The next event, waiting at most {@code timeoutMillis}.
     *
     * @return empty when none came in time, when {@link #wake} was called, or when the answer's head
     *         was just read
     * @throws DockerException when the engine closed the stream or answered with an error
     */
    public Optional<Event> next(long timeoutMillis) throws DockerException {
        long deadline = System.nanoTime() + Math.max(1, timeoutMillis) * 1_000_000L;
        while (ready.isEmpty()) {
            if (ended) {
                throw new DockerException(endpoint, "the event stream ended (the engine went away)");
            }
            try {
                int n = channel.read(in);
                if (n < 0) {
                    ended = true;
                    continue;
                }
                if (n > 0) {
                    in.flip();
                    consume(in);
                    in.clear();
                    if (headSignal && ready.isEmpty()) {
                        headSignal = false;
                        return Optional.empty();
                    }
                    continue;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                selector.select(Math.max(1, left / 1_000_000L));
                boolean readable = !selector.selectedKeys().isEmpty();
                selector.selectedKeys().clear();
                if (!readable) {
                    // A timeout or a wake-up: the caller decides what comes next.
                    return Optional.empty();
                }
            } catch (IOException e) {
                throw new DockerException(endpoint, "GET /events: reading failed: " + e, e);
            }
        }
        return Optional.of(ready.poll());
    }

    /**
     * Waits until the engine has answered the request (its head read), so that events from now on
     * are sure to come; gives up silently after {@code timeoutMillis}.
     */
    public void awaitAnswer(long timeoutMillis) throws DockerException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!headRead && ready.isEmpty()) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return;
            }
            Optional<Event> e = next(left);
            if (e.isPresent()) {
                ready.addFirst(e.get());
                return;
            }
        }
    }

    /** Makes a {@link #next} waiting in another thread return now. */
    public void wake() {
        selector.wakeup();
    }

    @Override
    public void close() {
        key.cancel();
        closeQuietly(channel);
        closeQuietly(selector);
    }

    private void consume(ByteBuffer data) throws DockerException {
        while (data.hasRemaining()) {
            if (!headRead) {
                raw.write(data.get());
                byte[] b = raw.toByteArray();
                int n = b.length;
                if (n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n') {
                    head(new String(b, StandardCharsets.ISO_8859_1));
                    raw.reset();
                }
                continue;
            }
            if (!chunked) {
                body(data.get());
                continue;
            }
            if (chunkLeft < 0) {
                byte c = data.get();
                raw.write(c);
                if (c == '\n') {
                    String size = raw.toString(StandardCharsets.ISO_8859_1).strip();
                    raw.reset();
                    if (size.isEmpty()) {
                        continue; // the CRLF that ends a chunk's data
                    }
                    int ext = size.indexOf(';');
                    try {
                        chunkLeft = Long.parseLong(ext < 0 ? size : size.substring(0, ext), 16);
                    } catch (NumberFormatException e) {
                        throw new DockerException(endpoint, "GET /events: malformed chunk size \"" + size + "\"");
                    }
                    if (chunkLeft == 0) {
                        ended = true;
                        return;
                    }
                }
                continue;
            }
            body(data.get());
            if (--chunkLeft == 0) {
                chunkLeft = -1;
            }
        }
    }

    private void head(String head) throws DockerException {
        String[] lines = head.split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/")) {
            throw new DockerException(endpoint, "GET /events: malformed answer \"" + lines[0] + "\"");
        }
        if (status[1].equals("100")) {
            return; // an interim answer; the real head follows
        }
        if (!status[1].equals("200")) {
            throw new DockerException(endpoint, "GET /events: " + lines[0]);
        }
        for (String l : lines) {
            int colon = l.indexOf(':');
            if (colon > 0 && l.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals("transfer-encoding")) {
                chunked = l.substring(colon + 1).toLowerCase(Locale.ROOT).contains("chunked");
            }
        }
        headRead = true;
        headSignal = true;
    }

    private void body(byte b) throws DockerException {
        if (b != '\n') {
            if (line.size() >= MAX_LINE) {
                throw new DockerException(endpoint, "GET /events: an event longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
            return;
        }
        String text = line.toString(StandardCharsets.UTF_8).strip();
        line.reset();
        if (!text.isEmpty()) {
            parse(text).ifPresent(ready::add);
        }
    }

    /** An event, or empty for a line that is not one (it is skipped: the stream goes on). */
    static Optional<Event> parse(String text) {
        try {
            Map<String, Object> o = Json.object(Json.parse(text));
            String type = o.get("Type") instanceof String t ? t : "";
            String action = o.get("Action") instanceof String a ? a
                    : o.get("status") instanceof String s ? s : "";
            Map<String, String> attributes = new LinkedHashMap<>();
            String id = o.get("id") instanceof String i ? i : "";
            if (o.get("Actor") instanceof Map<?, ?> actor) {
                if (actor.get("ID") instanceof String i && !i.isEmpty()) {
                    id = i;
                }
                if (actor.get("Attributes") instanceof Map<?, ?> attrs) {
                    for (Map.Entry<?, ?> e : attrs.entrySet()) {
                        if (e.getKey() instanceof String k && e.getValue() instanceof String v) {
                            attributes.put(k, v);
                        }
                    }
                }
            }
            if (id.isEmpty() || action.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Event(type, action, id, attributes));
        } catch (JsonException e) {
            return Optional.empty();
        }
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}

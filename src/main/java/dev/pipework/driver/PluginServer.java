package dev.pipework.driver;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The plugin API's transport: HTTP/1.1 over a Unix socket, one thread per connection, each request
 * a {@code POST /<Method>} whose body and answer are JSON. Requests are read with a small parser
 * (request line, headers, a body of {@code Content-Length} bytes); the calls themselves are
 * answered by the {@link PluginApi}, one network's one at a time.
 */
public final class PluginServer {
    static final String CONTENT_TYPE = "application/vnd.docker.plugins.v1.2+json";
    private static final int MAX_HEAD = 16 * 1024;
    private static final int MAX_BODY = 4 * 1024 * 1024;
    /** How long a request may take to arrive once its first byte has: a connection that sends half of one is closed. */
    static final java.time.Duration REQUEST_TIMEOUT = java.time.Duration.ofSeconds(10);
    private volatile java.time.Duration requestTimeout = REQUEST_TIMEOUT;
    private static final java.util.concurrent.ScheduledExecutorService TIMER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pipework-driver-timeouts");
                t.setDaemon(true);
                return t;
            });

    private final ServerSocketChannel server;
    private final Optional<Path> ownSocket;
    private final PluginApi api;
    private final AtomicBoolean stopping = new AtomicBoolean();

    private PluginServer(ServerSocketChannel server, Optional<Path> ownSocket, PluginApi api) {
        this.server = server;
        this.ownSocket = ownSocket;
        this.api = api;
    }

    /** Listens at {@code socket}, replacing a socket file left there by an earlier run. */
    public static PluginServer bind(Path socket, PluginApi api) throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
        Files.deleteIfExists(socket);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channel.bind(UnixDomainSocketAddress.of(socket));
        // Whoever connects may create bridges and plumb links: root alone, as the engine runs.
        Files.setPosixFilePermissions(socket, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return new PluginServer(channel, Optional.of(socket), api);
    }

    /** The same server with another bound on a request's arrival (tests). */
    PluginServer requestTimeout(java.time.Duration timeout) {
        this.requestTimeout = timeout;
        return this;
    }

    /** Serves on a listening socket handed over by the service manager, which keeps its file. */
    public static PluginServer inherited(ServerSocketChannel channel, PluginApi api) {
        return new PluginServer(channel, Optional.empty(), api);
    }

    /** Accepts connections until {@link #stop}; returns 0. */
    public int run() {
        try {
            while (!stopping.get()) {
                SocketChannel client;
                try {
                    client = server.accept();
                } catch (AsynchronousCloseException e) {
                    break;
                }
                Thread t = new Thread(() -> serve(client), "pipework-driver-connection");
                t.setDaemon(true);
                t.start();
            }
            return 0;
        } catch (IOException e) {
            if (stopping.get()) {
                return 0;
            }
            throw new java.io.UncheckedIOException(e);
        } finally {
            close();
        }
    }

    /** Stops accepting; a call under way finishes (its connection's thread holds the API's lock). */
    public void stop() {
        stopping.set(true);
        close();
        api.awaitIdle();
    }

    private void close() {
        try {
            server.close();
            if (ownSocket.isPresent()) {
                Files.deleteIfExists(ownSocket.get());
            }
        } catch (IOException e) {
            // Nothing more to do: the process is ending.
        }
    }

    private void serve(SocketChannel client) {
        try (client; InputStream in = new BufferedInputStream(Channels.newInputStream(client));
             OutputStream out = Channels.newOutputStream(client)) {
            while (true) {
                // Between requests a connection may stay idle (the engine keeps its connections open).
                in.mark(1);
                if (in.read() == -1) {
                    return;
                }
                in.reset();
                var deadline = TIMER.schedule(() -> closeQuietly(client), requestTimeout.toMillis(),
                        java.util.concurrent.TimeUnit.MILLISECONDS);
                Optional<Request> request;
                try {
                    request = Request.read(in);
                } finally {
                    deadline.cancel(false);
                }
                if (request.isEmpty()) {
                    return;
                }
                answer(request.get(), out);
                if (request.get().close()) {
                    return;
                }
            }
        } catch (IOException | BadRequest e) {
            // The engine went away or spoke something else than HTTP: its connection is closed.
        }
    }

    private static void closeQuietly(SocketChannel client) {
        try {
            client.close();
        } catch (IOException e) {
            // Closed already.
        }
    }

    private void answer(Request request, OutputStream out) throws IOException {
        int status = 200;
        Object body;
        if (!request.method().equals("POST")) {
            status = 405;
            body = Map.of("Err", "the plugin API takes POST");
        } else {
            Object parsed;
            try {
                parsed = request.body().length == 0 ? Map.of()
                        : Json.parse(new String(request.body(), StandardCharsets.UTF_8));
            } catch (JsonException e) {
                parsed = null;
            }
            if (parsed instanceof Map<?, ?> map) {
                body = api.call(request.path().startsWith("/") ? request.path().substring(1) : request.path(),
                        Json.object(map));
            } else {
                status = 400;
                body = Map.of("Err", "the request's body is not a JSON object");
            }
        }
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + (status == 200 ? " OK" : " Error") + "\r\nContent-Type: " + CONTENT_TYPE
                + "\r\nContent-Length: " + bytes.length + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    /** A request that is not HTTP/1.x as this server reads it. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }

    /** One request: its method, path, body, and whether the client closes the connection after it. */
    record Request(String method, String path, byte[] body, boolean close) {

        /** The next request on the connection; empty at its end. */
        static Optional<Request> read(InputStream in) throws IOException, BadRequest {
            String line = line(in);
            if (line == null) {
                return Optional.empty();
            }
            String[] words = line.split(" ");
            if (words.length != 3 || !words[2].startsWith("HTTP/1.")) {
                throw new BadRequest("not an HTTP/1 request line");
            }
            int length = 0;
            boolean close = words[2].equals("HTTP/1.0");
            int headBytes = line.length();
            while (true) {
                String header = line(in);
                if (header == null) {
                    throw new BadRequest("the headers end early");
                }
                if (header.isEmpty()) {
                    break;
                }
                headBytes += header.length();
                if (headBytes > MAX_HEAD) {
                    throw new BadRequest("headers too long");
                }
                int colon = header.indexOf(':');
                if (colon < 0) {
                    throw new BadRequest("a header without a colon");
                }
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> {
                        try {
                            length = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            throw new BadRequest("Content-Length is not a number");
                        }
                        if (length < 0 || length > MAX_BODY) {
                            throw new BadRequest("Content-Length out of range");
                        }
                    }
                    case "transfer-encoding" -> throw new BadRequest("a body without Content-Length");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> {
                    }
                }
            }
            byte[] body = in.readNBytes(length);
            if (body.length != length) {
                throw new BadRequest("the body ends early");
            }
            return Optional.of(new Request(words[0], words[1], body, close));
        }

        /** A line ending in CRLF (or LF), without it; null at the end of the stream before any byte. */
        private static String line(InputStream in) throws IOException, BadRequest {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    String text = bytes.toString(StandardCharsets.ISO_8859_1);
                    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                }
                bytes.write(b);
                if (bytes.size() > MAX_HEAD) {
                    throw new BadRequest("a line too long");
                }
            }
            if (bytes.size() == 0) {
                return null;
            }
            throw new BadRequest("the connection ends inside a line");
        }
    }
}

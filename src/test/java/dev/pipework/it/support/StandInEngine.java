package dev.pipework.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.URLDecoder;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.pipework.json.Json;

/**
 * A stand-in for the engine's API, for the watcher's soak: the part of it that {@code pipework watch}
 * reads (the event stream, the list of running containers, one container's inspect document) over a
 * Unix socket of the test's own. Its containers are {@code unshare --net sleep} processes, each in a
 * network namespace of its own, as a container's init process is; a restart kills the process and
 * starts another, and the followers of {@code /events} get the engine's {@code die} and {@code start}
 * events for it. A restart costs a few milliseconds instead of the engine's second or more, so the
 * soak's events measure the watcher, not the engine. Whatever else is asked is answered 404 and
 * counted ({@link #unknown()}).
 */
public final class StandInEngine implements AutoCloseable {
    private final Path socket = Path.of("/run/pwsi-" + HostCleanup.uniqueSuffix() + ".sock");
    private final ServerSocketChannel server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "stand-in-engine");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Box> boxes = new ConcurrentHashMap<>();
    private final List<OutputStream> followers = new CopyOnWriteArrayList<>();
    private final List<String> unknown = new CopyOnWriteArrayList<>();

    /** One container: its process while it runs. */
    private static final class Box {
        final String id;
        final String name;
        final Map<String, String> labels;
        Process process;
        String finishedAt = "0001-01-01T00:00:00Z";

        Box(String id, String name, Map<String, String> labels) {
            this.id = id;
            this.name = name;
            this.labels = labels;
        }
    }

    public StandInEngine() throws IOException {
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        pool.execute(this::accept);
    }

    /** {@code unix://<socket>}, for {@code DOCKER_HOST}. */
    public String host() {
        return "unix://" + socket;
    }

    /** Requests it does not serve, as {@code METHOD target}. */
    public List<String> unknown() {
        return List.copyOf(unknown);
    }

    /** Creates and starts a container; its start event goes to the followers. */
    public void run(String name, Map<String, String> labels) {
        StringBuilder id = new StringBuilder();
        for (byte b : digest(name)) {
            id.append(String.format("%02x", b));
        }
        Box box = new Box(id.toString(), name, new LinkedHashMap<>(labels));
        boxes.put(box.id, box);
        start(box);
    }

    /** Kills the container's process ({@code restart -t 0}), then starts another: a die and a start event. */
    public void restart(String name) {
        Box box = box(name);
        synchronized (box) {
            box.process.destroyForcibly();
            try {
                box.process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            box.process = null;
            box.finishedAt = Instant.now().toString();
            event(box, "die", Map.of("exitCode", "137"));
        }
        start(box);
    }

    /** The PID of the container's process (0 when it does not run). */
    public long pid(String name) {
        Box box = box(name);
        synchronized (box) {
            return box.process == null ? 0 : box.process.pid();
        }
    }

    private void start(Box box) {
        synchronized (box) {
            try {
                box.process = new ProcessBuilder("unshare", "--net", "sleep", "2147483647")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new AssertionError("cannot start a stand-in container: " + e, e);
            }
            event(box, "start", Map.of());
        }
    }

    private Box box(String name) {
        return boxes.values().stream().filter(b -> b.name.equals(name) || b.id.equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no stand-in container " + name));
    }

    private static byte[] digest(String name) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(("pwsi" + name).getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ the API

    private void event(Box box, String action, Map<String, String> more) {
        Map<String, Object> attributes = new LinkedHashMap<>(box.labels);
        attributes.put("image", Prerequisites.TEST_IMAGE);
        attributes.put("name", box.name);
        attributes.putAll(more);
        long now = System.currentTimeMillis();
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("status", action);
        e.put("id", box.id);
        e.put("from", Prerequisites.TEST_IMAGE);
        e.put("Type", "container");
        e.put("Action", action);
        e.put("Actor", Map.of("ID", box.id, "Attributes", attributes));
        e.put("scope", "local");
        e.put("time", now / 1000);
        e.put("timeNano", now * 1_000_000L);
        byte[] line = (Json.write(e) + "\n").getBytes(StandardCharsets.UTF_8);
        for (OutputStream out : followers) {
            try {
                synchronized (out) {
                    out.write((Integer.toHexString(line.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(line);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException gone) {
                followers.remove(out);
            }
        }
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                pool.execute(() -> serve(ch));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel ch) {
        try (ch) {
            InputStream in = Channels.newInputStream(ch);
            OutputStream out = Channels.newOutputStream(ch);
            while (true) {
                String head = head(in);
                if (head == null) {
                    return;
                }
                String[] lines = head.split("\r\n");
                String[] request = lines[0].split(" ");
                long length = 0;
                for (String l : lines) {
                    if (l.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Long.parseLong(l.substring(15).strip());
                    }
                }
                in.readNBytes((int) length);
                String target = URLDecoder.decode(request[1], StandardCharsets.UTF_8);
                String path = target.replaceFirst("^/v[0-9.]+/", "/").replaceFirst("\\?.*", "");
                if (request[0].equals("GET") && path.equals("/events")) {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    followers.add(out);
                    // Open until a write finds the follower gone or the engine closes. Not read meanwhile: a
                    // channel's stream holds the channel's lock while it waits to read, and writes wait for it.
                    while (followers.contains(out) && server.isOpen()) {
                        Thread.sleep(100);
                    }
                    return;
                }
                Object answer = answer(request[0], path, target);
                int status = answer == null ? 404 : 200;
                byte[] body = (answer == null ? "{\"message\":\"No such container\"}"
                        : answer instanceof String s ? s : Json.write(answer)).getBytes(StandardCharsets.UTF_8);
                if (answer == null && !path.matches("/containers/[^/]+/json")) {
                    unknown.add(request[0] + " " + target);
                }
                synchronized (out) {
                    out.write(("HTTP/1.1 " + status + (status == 200 ? " OK" : " Not Found")
                            + "\r\nContent-Type: application/json\r\nApi-Version: 1.41\r\nContent-Length: " + body.length
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Object answer(String method, String path, String target) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return null;
        }
        if (path.equals("/_ping")) {
            return "OK";
        }
        if (path.equals("/version")) {
            return Map.of("Version", "stand-in", "ApiVersion", "1.41", "MinAPIVersion", "1.12", "Os", "linux");
        }
        if (path.equals("/containers/json")) {
            boolean all = target.contains("all=1") || target.contains("all=true");
            List<Object> list = new ArrayList<>();
            for (Box b : boxes.values()) {
                synchronized (b) {
                    if ((all || b.process != null) && labelled(b, target)) {
                        list.add(Map.of("Id", b.id, "Names", List.of("/" + b.name), "Labels", b.labels,
                                "State", b.process != null ? "running" : "exited"));
                    }
                }
            }
            return list;
        }
        if (path.startsWith("/containers/") && path.endsWith("/json")) {
            String key = path.substring("/containers/".length(), path.length() - "/json".length());
            Box b = boxes.values().stream().filter(x -> x.id.equals(key) || x.name.equals(key)
                    || (key.length() >= 12 && x.id.startsWith(key))).findFirst().orElse(null);
            if (b == null) {
                return null;
            }
            synchronized (b) {
                boolean running = b.process != null;
                Map<String, Object> state = new LinkedHashMap<>();
                state.put("Status", running ? "running" : "exited");
                state.put("Running", running);
                state.put("Pid", running ? b.process.pid() : 0);
                state.put("FinishedAt", b.finishedAt);
                Map<String, Object> inspect = new LinkedHashMap<>();
                inspect.put("Id", b.id);
                inspect.put("Name", "/" + b.name);
                inspect.put("State", state);
                inspect.put("Config", Map.of("Labels", b.labels, "Image", Prerequisites.TEST_IMAGE));
                inspect.put("HostConfig", Map.of("NetworkMode", "none"));
                return inspect;
            }
        }
        return null;
    }

    /** Whether the container has the labels a {@code filters={"label":["k=v"]}} asks for. */
    private static boolean labelled(Box b, String target) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"label\":\\[([^\\]]*)\\]").matcher(target);
        if (!m.find()) {
            return true;
        }
        for (String want : m.group(1).split(",")) {
            String w = want.strip().replaceAll("^\"|\"$", "");
            int eq = w.indexOf('=');
            String k = eq < 0 ? w : w.substring(0, eq);
            if (!b.labels.containsKey(k) || (eq >= 0 && !b.labels.get(k).equals(w.substring(eq + 1)))) {
                return false;
            }
        }
        return true;
    }

    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            raw.write(c);
            byte[] b = raw.toByteArray();
            int n = b.length;
            if (n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n') {
                return new String(b, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /** Kills the containers' processes and closes the socket (the followers see the stream end). */
    @Override
    public void close() {
        for (Box b : boxes.values()) {
            synchronized (b) {
                if (b.process != null) {
                    b.process.destroyForcibly();
                }
            }
        }
        try {
            server.close();
        } catch (IOException e) {
            // closed
        }
        for (OutputStream out : followers) {
            try {
                out.close();
            } catch (IOException e) {
                // gone
            }
        }
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
            Files.deleteIfExists(socket);
        } catch (InterruptedException | IOException e) {
            // left to the next run's uniqueness
        }
    }
}

package dev.pipework.it.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A three-member etcd cluster of a test class: data under /dev/shm, ports picked free at run time
 * (other classes and other runs start clusters of their own at the same time). On loopback in the
 * host's namespace, or on an address of a network namespace (where the "hosts" of an overlay test
 * reach it over their underlay): {@code ip netns exec <netns> etcd ...}.
 */
public final class EtcdCluster implements AutoCloseable {
    public static final int SIZE = 3;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final Optional<String> netns;
    private final String address;
    private final Path dir;
    private final int[] client = new int[SIZE];
    private final int[] peer = new int[SIZE];
    private final Process[] members = new Process[SIZE];

    private EtcdCluster(Optional<String> netns, String address) throws IOException {
        this.netns = netns;
        this.address = address;
        this.dir = Files.createTempDirectory(Path.of("/dev/shm"), "pipework-etcd-");
    }

    /** On loopback, in this namespace. */
    public static EtcdCluster start() throws IOException {
        return start(Optional.empty(), "127.0.0.1");
    }

    /**
     * Starts the members and waits until each answers. Skipped without etcd, a failure with CI=true.
     *
     * @param netns   the network namespace the members run in, or empty for this one
     * @param address the address they listen on there
     */
    public static EtcdCluster start(Optional<String> netns, String address) throws IOException {
        boolean there = Sh.run("sh", "-c", "command -v etcd").success();
        assertTrue(there || !Prerequisites.inCi(), "etcd is not installed (Debian package etcd-server; scripts/test-env)");
        assumeTrue(there, "etcd is not installed");
        EtcdCluster c = new EtcdCluster(netns, address);
        List<ServerSocket> held = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) {
            for (int[] ports : new int[][] {c.client, c.peer}) {
                ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
        }
        for (ServerSocket s : held) {
            s.close();
        }
        try {
            for (int i = 0; i < SIZE; i++) {
                c.start(i);
            }
            for (int i = 0; i < SIZE; i++) {
                c.awaitMember(i);
            }
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Where the cluster's files (logs, data, a pools file of the test's) go. */
    public Path dir() {
        return dir;
    }

    /** The store as pipework names it: {@code etcd://<address>:<port>,...}. */
    public String store() {
        List<String> endpoints = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) {
            endpoints.add(address + ":" + client[i]);
        }
        return "etcd://" + String.join(",", endpoints);
    }

    public int clientPort(int member) {
        return client[member];
    }

    public Process member(int i) {
        return members[i];
    }

    /** (Re)starts member {@code i} with its data directory as it is. */
    public void start(int i) throws IOException {
        StringBuilder cluster = new StringBuilder();
        for (int j = 0; j < SIZE; j++) {
            cluster.append(j == 0 ? "" : ",").append("e").append(j).append("=http://").append(address).append(':')
                    .append(peer[j]);
        }
        List<String> argv = new ArrayList<>();
        netns.ifPresent(n -> argv.addAll(List.of("ip", "netns", "exec", n)));
        argv.addAll(List.of("etcd", "--name", "e" + i, "--data-dir", dir.resolve("e" + i).toString(),
                "--listen-peer-urls", "http://" + address + ":" + peer[i], "--initial-advertise-peer-urls",
                "http://" + address + ":" + peer[i], "--listen-client-urls", "http://" + address + ":" + client[i],
                "--advertise-client-urls", "http://" + address + ":" + client[i], "--initial-cluster", cluster.toString(),
                "--initial-cluster-state", "new", "--initial-cluster-token", dir.getFileName().toString()));
        members[i] = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("e" + i + ".log").toFile())).start();
    }

    /** Waits until member {@code i} answers a linearizable range. */
    public void awaitMember(int i) {
        Poll.until(Duration.ofSeconds(20), Poll.TICK, () -> range(i, "pipework/"), "etcd member " + i);
    }

    public void kill(int i) throws InterruptedException {
        members[i].destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * A linearizable range of a prefix through member {@code m}, the gateway's JSON answer; empty
     * when it does not answer 200. In a namespace, through {@code curl} run there.
     */
    public Optional<String> range(int m, String prefix) {
        return post(m, "kv/range", prefixBody(prefix));
    }

    /** Deletes every key of the prefix through member {@code m}, as another client would; the answer. */
    public Optional<String> deletePrefix(int m, String prefix) {
        return post(m, "kv/deleterange", prefixBody(prefix));
    }

    private static String prefixBody(String prefix) {
        String end = prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
        return "{\"key\":\"" + b64(prefix) + "\",\"range_end\":\"" + b64(end) + "\"}";
    }

    /** The JSON gateway's address of {@code call} at member {@code m}. */
    private String url(int m, String call) {
        return "http://" + address + ":" + client[m] + "/v3/" + call;
    }

    private Optional<String> post(int m, String call, String body) {
        String url = url(m, call);
        if (netns.isPresent()) {
            Sh.Result r = Sh.run("ip", "netns", "exec", netns.get(), "curl", "-sf", "-m", "2", "-X", "POST", "-d", body, url);
            return r.success() ? Optional.of(r.out()) : Optional.empty();
        }
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Follows one key through member {@code m}'s watch ({@code curl} streaming the gateway's
     * {@code /v3/watch}, in the cluster's namespace where it has one), once the watch is in place:
     * each line is stamped with this process's wall clock as it arrives, so that a test can tell when
     * the key's first change reached a watcher.
     */
    public Watch watch(int m, String key) throws IOException {
        List<String> argv = new ArrayList<>();
        netns.ifPresent(ns -> argv.addAll(List.of("ip", "netns", "exec", ns)));
        argv.addAll(List.of("curl", "-sN", "-X", "POST", "-d",
                "{\"create_request\":{\"key\":\"" + b64(key) + "\"}}",
                url(m, "watch")));
        Watch watch = new Watch(new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start());
        try {
            Poll.until(Duration.ofSeconds(10), Duration.ofMillis(10),
                    () -> Optional.of(true).filter(t -> watch.created), "the watch of " + key + " in place");
        } catch (RuntimeException | Error e) {
            watch.close();
            throw e;
        }
        return watch;
    }

    /** A key's watch: when its first change arrived. */
    public static final class Watch implements AutoCloseable {
        private final Process process;
        private volatile boolean created;
        private final java.util.concurrent.atomic.AtomicLong firstChange = new java.util.concurrent.atomic.AtomicLong(-1);

        private Watch(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        long now = System.currentTimeMillis();
                        if (line.contains("\"events\"") && line.contains("\"kv\"")) {
                            firstChange.compareAndSet(-1, now);
                        } else if (line.contains("\"created\":true")) {
                            created = true;
                        }
                    }
                } catch (IOException e) {
                    // the watch ended
                }
            }, "etcd-watch");
            reader.setDaemon(true);
            reader.start();
        }

        /** The wall-clock millisecond at which the key's first change arrived, once one has. */
        public Optional<Long> firstChange() {
            long at = firstChange.get();
            return at < 0 ? Optional.empty() : Optional.of(at);
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        for (Process p : members) {
            if (p != null) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        Sh.run("rm", "-rf", dir.toString());
    }
}

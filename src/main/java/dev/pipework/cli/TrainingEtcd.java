package dev.pipework.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * An etcd gateway on loopback for the training runs alone: it answers a range of a pool with one
 * address held by another host, and every transaction as succeeded, so that a claim and its
 * confirmation from an etcd store take the path they take against a real one (the HTTP client's
 * answers read, the keys parsed, the transactions built). It keeps nothing.
 */
final class TrainingEtcd implements AutoCloseable {
    private final ServerSocket server;
    private final Thread thread;

    private TrainingEtcd(ServerSocket server) {
        this.server = server;
        this.thread = new Thread(this::serve, "pipework-training-etcd");
        thread.setDaemon(true);
        thread.start();
    }

    /** Listening on a free port of loopback. */
    static TrainingEtcd start() throws IOException {
        return new TrainingEtcd(new ServerSocket(0, 4, InetAddress.getLoopbackAddress()));
    }

    /** {@code etcd://127.0.0.1:<port>} */
    String url() {
        return "etcd://127.0.0.1:" + server.getLocalPort();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                for (String head = head(in); head != null; head = head(in)) {
                    in.readNBytes(contentLength(head));
                    byte[] body = answer(head).getBytes(StandardCharsets.UTF_8);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                }
            } catch (IOException e) {
                // closed, or a client gone: the next connection
            }
        }
    }

    /** The request line and headers, up to the empty line; null at the end of the stream. */
    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b = in.read(); b >= 0; b = in.read()) {
            head.write(b);
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.US_ASCII);
            }
        }
        return null;
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring("content-length:".length()).strip());
            }
        }
        return 0;
    }

    private static String answer(String head) {
        if (head.startsWith("POST /v3/kv/range ")) {
            String value = "{\"host\":\"training-peer\",\"runtime\":\"docker\",\"container\":\"pipework-training-peer\","
                    + "\"interface\":\"eth1\",\"state\":\"held\",\"pid\":0,\"start\":0,\"since\":0,\"boot\":\"\"}";
            return "{\"header\":{\"revision\":\"7\"},\"kvs\":[{\"key\":\"" + b64("pipework/ipam/training/10.255.1.10")
                    + "\",\"create_revision\":\"5\",\"mod_revision\":\"6\",\"version\":\"1\",\"value\":\"" + b64(value)
                    + "\"}],\"count\":\"1\"}";
        }
        return "{\"header\":{\"revision\":\"8\"},\"succeeded\":true}";
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // a training run only ever warms the cache
        }
    }
}

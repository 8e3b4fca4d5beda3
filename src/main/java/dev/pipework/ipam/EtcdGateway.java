package dev.pipework.ipam;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;
import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * etcd's v3 API through its JSON gateway ({@code POST /v3/kv/range}, {@code txn},
 * {@code deleterange}, {@code put}, the leases' {@code grant}, {@code keepalive}, {@code revoke} and the
 * streaming {@code watch} on the client port; keys and values in base64, 64-bit numbers as strings)
 * over the JDK's {@link HttpURLConnection}: no dependency, and it answers a fresh process's first
 * call in about a tenth of the time {@code java.net.http.HttpClient} takes to start (docs/pools.md).
 * Connections are kept alive between calls by the JDK. Each call is bounded and tried on each
 * member in turn until one answers.
 */
final class EtcdGateway {
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    /** One key as a range returns it; {@code lease} 0 when no lease holds it. */
    record Kv(String key, String value, long createRevision, long modRevision, long lease) {
        Kv(String key, String value, long createRevision, long modRevision) {
            this(key, value, createRevision, modRevision, 0);
        }
    }

    /** A transaction's condition on one key. */
    sealed interface Compare {
        String key();
    }

    /** The key does not exist (its create_revision is 0). */
    record Absent(String key) implements Compare {
    }

    /** The key was last changed at this revision (its mod_revision). */
    record Unchanged(String key, long modRevision) implements Compare {
    }

    /**
     * No key starting with {@code key} was created or changed after {@code revision}: every key of
     * the prefix has a mod_revision below {@code revision + 1} (a prefix without keys holds too).
     */
    record PrefixUnchanged(String key, long revision) implements Compare {
    }

    /** A transaction's operation on one key. */
    sealed interface Op {
        String key();
    }

    /** {@code lease} 0: no lease holds the key. */
    record Put(String key, String value, long lease) implements Op {
        Put(String key, String value) {
            this(key, value, 0);
        }
    }

    record Delete(String key) implements Op {
    }

    /** Every key starting with {@code key}. */
    record DeletePrefix(String key) implements Op {
    }

    /** The keys of a prefix and the store's revision they were read at. */
    record Range(List<Kv> kvs, long revision) {
    }

    private final List<URI> endpoints;
    private final String shown;
    private final Duration bound;
    private final Optional<javax.net.ssl.SSLContext> tls;

    /**
     * @param endpoints each member's client URL ({@code http://host:port} or {@code https://...})
     * @param shown     the store as messages name it (no credentials: the TLS files are not in it)
     * @param bound     the longest a call to one member may take
     */
    EtcdGateway(List<URI> endpoints, String shown, Duration bound, Optional<javax.net.ssl.SSLContext> tls) {
        this.endpoints = List.copyOf(endpoints);
        this.shown = shown;
        this.bound = bound;
        this.tls = tls;
    }

    /** The store as messages name it. */
    String shown() {
        return shown;
    }

    List<Kv> range(String prefix) {
        return rangeAt(prefix).kvs();
    }

    Range rangeAt(String prefix) {
        return rangeAnswer(post("kv/range", rangeRequest(prefix)));
    }

    /** {@code lease/grant}: a lease of {@code ttl} seconds; its ID. */
    long grant(long ttl) {
        try {
            return leaseId(answer(post("lease/grant", Json.write(Map.of("TTL", Long.toString(ttl))))).get("ID"));
        } catch (JsonException e) {
            throw new PipeworkException("etcd store " + shown + ": a lease answer is not valid (" + oneLine(e.getMessage()) + ")");
        }
    }

    /**
     * {@code lease/keepalive}, one request: the gateway streams the call, and a body of one request
     * gets one answer. The seconds the lease has left; 0 when it has expired (the answer then has no TTL).
     */
    long keepAlive(long lease) {
        try {
            Object result = answer(post("lease/keepalive", Json.write(Map.of("ID", Long.toString(lease))))).get("result");
            return result == null ? 0 : revision(Json.object(result).get("TTL"));
        } catch (JsonException e) {
            throw new PipeworkException("etcd store " + shown + ": a keep-alive answer is not valid (" + oneLine(e.getMessage()) + ")");
        }
    }

    void revoke(long lease) {
        post("lease/revoke", Json.write(Map.of("ID", Long.toString(lease))));
    }

    /** {@code kv/put} of a key held by a lease: the key goes when the lease expires. */
    void put(String key, String value, long lease) {
        answer(post("kv/put", Json.write(Map.of("key", b64(key), "value", b64(value), "lease", Long.toString(lease)))));
    }

    /** How long a watch stream may stay quiet before it is taken again. */
    static final Duration WATCH_IDLE = Duration.ofSeconds(30);

    /**
     * {@code watch} of every key under {@code prefix}, on the first member that takes it: the
     * gateway answers a streaming POST with one JSON object a line, the first saying the watch is
     * created, then one per batch of changes. {@code onLine} gets each; returns when the stream
     * ends (a member stopped, the connection lost) or stays quiet for {@link #WATCH_IDLE}, or fails
     * when no member takes it.
     */
    void watch(String prefix, java.util.function.Consumer<String> onLine) {
        String body = Json.write(Map.of("create_request", Map.of("key", b64(prefix), "range_end", b64(prefixEnd(prefix)))));
        List<String> failures = new ArrayList<>();
        for (URI endpoint : endpoints) {
            HttpURLConnection c = null;
            try {
                c = open(endpoint, "watch", body.getBytes(StandardCharsets.UTF_8));
                // The stream is idle while nothing changes, and a member cut off without a reset (a
                // partition) leaves it idle for ever: quiet for WATCH_IDLE, it is ended and taken again.
                c.setReadTimeout((int) WATCH_IDLE.toMillis());
                if (c.getResponseCode() != 200) {
                    failures.add(endpoint.getAuthority() + ": HTTP " + c.getResponseCode());
                    c.disconnect();
                    continue;
                }
                try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                        c.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        onLine.accept(line);
                    }
                } catch (SocketTimeoutException quiet) {
                    c.disconnect();
                }
                return;
            } catch (IOException e) {
                failures.add(endpoint.getAuthority() + ": " + oneLine(String.valueOf(e.getMessage())));
                if (c != null) {
                    c.disconnect();
                }
            }
        }
        throw new PipeworkException("etcd store " + shown + ": no member took the watch (" + String.join("; ", failures) + ")");
    }

    /** A POST of the body to {@code /v3/<call>}, sent; the answer not yet read. */
    private HttpURLConnection open(URI endpoint, String call, byte[] bytes) throws IOException {
        HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/v3/" + call).toURL().openConnection();
        if (c instanceof javax.net.ssl.HttpsURLConnection https && tls.isPresent()) {
            https.setSSLSocketFactory(tls.get().getSocketFactory());
        }
        c.setConnectTimeout((int) bound.toMillis());
        c.setReadTimeout((int) bound.toMillis());
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(bytes.length);
        c.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = c.getOutputStream()) {
            out.write(bytes);
        }
        return c;
    }

    /** Whether the transaction's conditions held (and so its operations were done). */
    boolean txn(List<Compare> compare, List<Op> ops) {
        return committed(compare, ops) > 0;
    }

    /**
     * The store's revision after the transaction, which is every written key's mod_revision, when
     * its conditions held; 0 when they did not (nothing was done).
     */
    long committed(List<Compare> compare, List<Op> ops) {
        return txnRevision(post("kv/txn", txnRequest(compare, ops)));
    }

    /** The first member's answer; each that fails (refused, timed out, an error status) gives way to the next. */
    private String post(String call, String body) {
        // A member answers 503 while the cluster elects a leader (one was stopped): the request was not
        // taken, and a moment later another leader takes it. Tried again twice; any other failure is final.
        for (int round = 1; ; round++) {
            List<String> failures = new ArrayList<>();
            Optional<String> answer = postOnce(call, body, failures);
            if (answer.isPresent()) {
                return answer.get();
            }
            if (round == 3 || failures.stream().noneMatch(f -> f.endsWith("(HTTP 503)") || f.endsWith(": HTTP 503"))) {
                throw new PipeworkException("etcd store " + shown + ": no member answered (" + String.join("; ", failures) + ")");
            }
            try {
                Thread.sleep(500L * round);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PipeworkException("etcd store " + shown + ": interrupted");
            }
        }
    }

    private Optional<String> postOnce(String call, String body, List<String> failures) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        for (URI endpoint : endpoints) {
            HttpURLConnection c = null;
            try {
                c = open(endpoint, call, bytes);
                int status = c.getResponseCode();
                InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
                String answer = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (in != null) {
                    in.close();
                }
                if (status == 200) {
                    return Optional.of(answer);
                }
                failures.add(endpoint.getAuthority() + ": " + errorOf(status, answer));
            } catch (SocketTimeoutException e) {
                failures.add(endpoint.getAuthority() + ": no answer within " + bound.toMillis() + " ms");
                if (c != null) {
                    c.disconnect();
                }
            } catch (IOException e) {
                failures.add(endpoint.getAuthority() + ": " + oneLine(e.getMessage() == null
                        ? e.getClass().getSimpleName() : e.getMessage()));
                if (c != null) {
                    c.disconnect();
                }
            }
        }
        return Optional.empty();
    }

    /** An error answer in a line: the gateway's {"error"|"message", "code"}, else the status. */
    static String errorOf(int status, String body) {
        try {
            Map<String, Object> m = Json.object(Json.parse(body));
            Object message = m.containsKey("message") ? m.get("message") : m.get("error");
            if (message instanceof String s && !s.isEmpty()) {
                return oneLine(s) + " (HTTP " + status + ")";
            }
        } catch (JsonException e) {
            // Not the gateway's JSON: the status says enough.
        }
        return "HTTP " + status;
    }

    private static String oneLine(String s) {
        String flat = s.replaceAll("[\\x00-\\x1f\\x7f]+", " ").strip();
        return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
    }

    static String b64(String s) {
        return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The key just past every key starting with {@code prefix} (its last byte plus one; ASCII prefixes only). */
    static String prefixEnd(String prefix) {
        char last = prefix.charAt(prefix.length() - 1);
        if (last >= 0x7f) {
            throw new IllegalArgumentException("prefix must end in ASCII below DEL");
        }
        return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
    }

    static String rangeRequest(String prefix) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", b64(prefix));
        m.put("range_end", b64(prefixEnd(prefix)));
        return Json.write(m);
    }

    static String txnRequest(List<Compare> compare, List<Op> ops) {
        List<Object> cs = new ArrayList<>();
        for (Compare c : compare) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", b64(c.key()));
            m.put("result", "EQUAL");
            if (c instanceof Unchanged u) {
                m.put("target", "MOD");
                m.put("mod_revision", Long.toString(u.modRevision()));
            } else if (c instanceof PrefixUnchanged p) {
                m.put("result", "LESS");
                m.put("target", "MOD");
                m.put("mod_revision", Long.toString(p.revision() + 1));
                m.put("range_end", b64(prefixEnd(p.key())));
            } else {
                m.put("target", "CREATE");
                m.put("create_revision", "0");
            }
            cs.add(m);
        }
        List<Object> os = new ArrayList<>();
        for (Op o : ops) {
            if (o instanceof Put p) {
                os.add(Map.of("request_put", p.lease() == 0 ? Map.of("key", b64(p.key()), "value", b64(p.value()))
                        : Map.of("key", b64(p.key()), "value", b64(p.value()), "lease", Long.toString(p.lease()))));
            } else if (o instanceof DeletePrefix d) {
                os.add(Map.of("request_delete_range", Map.of("key", b64(d.key()), "range_end", b64(prefixEnd(d.key())))));
            } else {
                os.add(Map.of("request_delete_range", Map.of("key", b64(o.key()))));
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("compare", cs);
        m.put("success", os);
        return Json.write(m);
    }

    /** The keys of a range answer, and its revision; an answer that is not one is an error. */
    Range rangeAnswer(String body) {
        try {
            Map<String, Object> m = answer(body);
            List<Kv> kvs = new ArrayList<>();
            long revision = m.get("header") instanceof Map<?, ?> h ? revision(h.get("revision")) : 0;
            Object list = m.get("kvs");
            if (list == null) {
                return new Range(kvs, revision);
            }
            for (Object o : Json.array(list)) {
                Map<String, Object> kv = Json.object(o);
                kvs.add(new Kv(text(kv.get("key")), kv.get("value") == null ? "" : text(kv.get("value")),
                        revision(kv.get("create_revision")), revision(kv.get("mod_revision")),
                        kv.get("lease") == null ? 0 : leaseId(kv.get("lease"))));
            }
            return new Range(kvs, revision);
        } catch (JsonException | IllegalArgumentException e) {
            throw new PipeworkException("etcd store " + shown + ": a range answer is not valid (" + oneLine(e.getMessage()) + ")");
        }
    }

    /** Whether a transaction succeeded; the gateway leaves {@code succeeded} out when it is false. */
    boolean txnAnswer(String body) {
        return txnRevision(body) > 0;
    }

    /** A transaction answer's revision when it succeeded, else 0. */
    long txnRevision(String body) {
        try {
            Map<String, Object> m = answer(body);
            Object ok = m.get("succeeded");
            if (ok != null && !(ok instanceof Boolean)) {
                throw new JsonException("\"succeeded\" is not a boolean");
            }
            if (!Boolean.TRUE.equals(ok)) {
                return 0;
            }
            long revision = m.get("header") instanceof Map<?, ?> h ? revision(h.get("revision")) : 0;
            if (revision <= 0) {
                throw new JsonException("a transaction that succeeded has no revision");
            }
            return revision;
        } catch (JsonException e) {
            throw new PipeworkException("etcd store " + shown + ": a txn answer is not valid (" + oneLine(e.getMessage()) + ")");
        }
    }

    Map<String, Object> answer(String body) {
        Map<String, Object> m = Json.object(Json.parse(body));
        if (m.containsKey("error") || m.containsKey("code") && !Long.valueOf(0).equals(m.get("code"))) {
            throw new PipeworkException("etcd store " + shown + ": " + errorOf(200, body));
        }
        return m;
    }

    private static String text(Object b64) {
        if (!(b64 instanceof String s)) {
            throw new JsonException("expected base64 text");
        }
        return new String(B64D.decode(s), StandardCharsets.UTF_8);
    }

    /** A lease's ID: a positive int64, written as a string. */
    static long leaseId(Object v) {
        try {
            if (v instanceof String s && s.matches("[0-9]{1,19}") && Long.parseLong(s) > 0) {
                return Long.parseLong(s);
            }
        } catch (NumberFormatException e) {
            // Past int64: not an ID.
        }
        throw new JsonException("a lease ID is not a number");
    }

    /** A revision: the gateway writes int64 as a string; absent is 0. */
    private static long revision(Object v) {
        if (v == null) {
            return 0;
        }
        if (v instanceof Long l && l >= 0) {
            return l;
        }
        if (v instanceof String s && s.matches("[0-9]{1,18}")) {
            return Long.parseLong(s);
        }
        throw new JsonException("a revision is not a number");
    }
}

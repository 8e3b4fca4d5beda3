package dev.pipework.host;

import dev.pipework.guest.UnixExchange;
import dev.pipework.guest.UnixSockets;
import dev.pipework.json.Json;
import dev.pipework.json.JsonException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code transact} asked of Open vSwitch's database on its socket (RFC 7047's JSON-RPC), the
 * socket {@code ovs-vsctl} talks to by default: {@code $OVS_RUNDIR/db.sock}, else
 * {@code /var/run/openvswitch/db.sock} (where Debian's Open vSwitch has it; where it is not served,
 * the caller reads every port with {@code ovs-vsctl}). The server selects the rows asked from the
 * ones it holds in memory and sends back only those, so the answer about one port is as small
 * however many the switch has; no process is started for it. The answer is bounded in time and
 * size, and read by the strict JSON reader, as anything read from outside the program.
 */
public final class OvsdbSocket {
    /** Bounds connecting, asking and reading the answer, as {@code ovs-vsctl --timeout=10}. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** An answer larger than this is no answer to the small questions asked here. */
    private static final int MAX_ANSWER = 4 << 20;

    /** The database took the question and gave no answer in time. */
    static final class NoAnswer extends IOException {
        private static final long serialVersionUID = 1L;

        NoAnswer(String line) {
            super(line);
        }
    }

    /**
     * The database refused the question or one of its operations (the transaction as a whole was
     * then not carried out); {@link #error()} is its error's name ("timed out", "constraint
     * violation", ...), the message says it whole.
     */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;
        private final String error;

        Refused(String error, String message) {
            super(message);
            this.error = error;
        }

        String error() {
            return error;
        }
    }

    private OvsdbSocket() {
    }

    /**
     * Where the database is served, readies the JDK's Unix-domain sockets ahead of a question (see
     * {@link UnixSockets#readyInBackground}), for a caller that waits for a process first.
     */
    public static void prepareIfServed() {
        UnixSockets.readyInBackground(socket());
    }

    /** Where {@code ovs-vsctl} looks for the database by default. */
    public static Path socket() {
        String rundir = System.getenv("OVS_RUNDIR");
        return Path.of(rundir == null || rundir.isEmpty() ? "/var/run/openvswitch" : rundir, "db.sock");
    }

    /**
     * The result of each operation, in order.
     *
     * @throws NoAnswer    when the answer does not come within {@code timeout}
     * @throws Refused    when the database refuses the question or one of its operations
     * @throws IOException when nothing listens on the socket, or the answer cannot be read
     */
    static List<Map<String, Object>> transact(Path socket, List<Object> operations, Duration timeout) throws IOException {
        List<Object> params = new ArrayList<>();
        params.add("Open_vSwitch");
        params.addAll(operations);
        byte[] request = Json.write(Map.of("id", 0, "method", "transact", "params", params))
                .getBytes(StandardCharsets.UTF_8);
        try {
            String answer = UnixExchange.exchange(socket, ByteBuffer.wrap(request), timeout, new OneJsonValue());
            return results(Json.object(Json.parse(answer)), operations.size());
        } catch (JsonException | ClassCastException e) {
            throw new IOException("Open vSwitch's database gave an answer that cannot be read: " + e.getMessage(), e);
        } catch (UnixExchange.TimedOut e) {
            throw new NoAnswer("unix:" + socket + ": no answer within " + timeout.toMillis() / 1000.0 + " s");
        }
    }

    /** One JSON value, read up to its closing bracket: the server keeps the connection open after it. */
    private static final class OneJsonValue implements UnixExchange.Answer<String> {
        private final ByteArrayOutputStream text = new ByteArrayOutputStream();
        private int depth;
        private boolean inString;
        private boolean escaped;

        @Override
        public String take(byte[] bytes, int length) throws IOException {
            for (int i = 0; i < length; i++) {
                byte b = bytes[i];
                text.write(b);
                if (inString) {
                    if (escaped) {
                        escaped = false;
                    } else if (b == '\\') {
                        escaped = true;
                    } else if (b == '"') {
                        inString = false;
                    }
                } else if (b == '"') {
                    inString = true;
                } else if (b == '{' || b == '[') {
                    depth++;
                } else if ((b == '}' || b == ']') && --depth == 0) {
                    return text.toString(StandardCharsets.UTF_8);
                }
            }
            if (text.size() > MAX_ANSWER) {
                throw new IOException("Open vSwitch's database answered more than " + MAX_ANSWER + " bytes");
            }
            return null;
        }

        @Override
        public String atEnd() throws IOException {
            throw new IOException("Open vSwitch's database closed the connection before it answered");
        }
    }

    private static List<Map<String, Object>> results(Map<String, Object> reply, int operations) throws IOException {
        if (!(reply.get("id") instanceof Number id) || id.longValue() != 0) {
            throw new IOException("Open vSwitch's database answered another question: " + Json.write(reply.get("id")));
        }
        Object error = reply.get("error");
        if (error != null) {
            throw new Refused(String.valueOf(error), "Open vSwitch's database refused the question: " + Json.write(error));
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (Object result : Json.array(reply.get("result"))) {
            Map<String, Object> r = Json.object(result);
            if (r.containsKey("error")) {
                // One refused operation: the transaction as a whole was not carried out.
                throw new Refused(String.valueOf(r.get("error")),
                        "Open vSwitch's database refused the question: " + Json.write(r));
            }
            results.add(r);
        }
        if (results.size() < operations) {
            throw new IOException("Open vSwitch's database answered " + results.size() + " of " + operations + " questions");
        }
        return results;
    }

    /** A {@code select} of these columns of the rows {@code where} (a list of conditions) selects. */
    static Map<String, Object> select(String table, List<Object> where, String... columns) {
        Map<String, Object> op = new java.util.LinkedHashMap<>();
        op.put("op", "select");
        op.put("table", table);
        op.put("where", where);
        op.put("columns", List.of(columns));
        return op;
    }

    /**
     * A {@code wait} until the rows {@code where} selects, {@code column} alone, are ({@code ==}) or
     * are no longer ({@code !=}) {@code rows}; at its timeout the server refuses it as "timed out".
     */
    static Map<String, Object> await(String table, List<Object> where, String column, String until, List<Object> rows,
                                     long timeoutMillis) {
        Map<String, Object> op = new java.util.LinkedHashMap<>();
        op.put("op", "wait");
        op.put("timeout", timeoutMillis);
        op.put("table", table);
        op.put("where", where);
        op.put("columns", List.of(column));
        op.put("until", until);
        op.put("rows", rows);
        return op;
    }

    /** The rows of a select's result. */
    static List<Object> rows(Map<String, Object> result) {
        return Json.array(Optional.ofNullable(result.get("rows")).orElseThrow(() -> new JsonException("no rows")));
    }
}

package dev.pipework.host;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;
import dev.pipework.plan.Command;
import dev.pipework.sys.CommandResult;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * A port added to or removed from an Open vSwitch bridge by transactions of pipework's own on the
 * database's socket ({@link OvsdbSocket}), as {@code ovs-vsctl [--if-exists del-port ... --]
 * add-port ...} and {@code ovs-vsctl --if-exists del-port ...} do, and with their refusals; and the
 * wait for the switch to have a port, as {@code ovs-vsctl wait-until Interface <port> ofport!=[]}.
 *
 * <p>A question first asks for the rows the change touches (the bridge, a port of that name); the
 * change then goes in one transaction that holds only while those rows are as read (ovs-vsctl's
 * {@code verify}; another client's change in between makes it start again). {@code ovs-vswitchd}
 * applies every change it sees; where the change waits, the transaction also asks for a new
 * configuration number ({@code next_cfg}) and the last question waits on the server until the switch
 * says it has applied it ({@code cur_cfg}), as {@code ovs-vsctl} without {@code --no-wait} does: a
 * port not yet in the switch's datapath would drop the guest's first packets. Each question is as
 * small as the rows it names, however many ports the host has.
 */
public final class OvsdbPortChanges {
    /** How long the switch is waited for, as {@code ovs-vsctl --timeout=30}. */
    static final Duration SWITCH_WAIT = Duration.ofSeconds(30);
    /** The longest the server is asked to wait for the switch at once. */
    private static final Duration SLICE = Duration.ofMillis(500);
    /** Another client's change between the reading and the change: read again, at most so often. */
    private static final int ATTEMPTS = 5;
    private static final String STOPPED = "stopped by a signal while Open vSwitch's switch applied the change";
    /** The error the server gives a {@code wait} whose rows are no longer as read. */
    private static final String TIMED_OUT = "timed out";
    /** An optional integer column that is empty, as the database writes it. */
    private static final Object NO_TAG = List.of("set", List.of());

    private OvsdbPortChanges() {
    }

    /**
     * The change is left to its {@code ovs-vsctl} command: the database could not be asked (nothing
     * listens, the connection was lost: whether the change was made is not known), refused the
     * transaction, or the change is one whose rules and words are {@code ovs-vsctl}'s (a VLAN's fake
     * bridge or a port of one, a port named as a bridge, a bridge that is not there).
     */
    public static final class LeftToOvsVsctl extends Exception {
        private static final long serialVersionUID = 1L;

        LeftToOvsVsctl(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Carries the change out on the database at {@code socket}: exit status 0, or 1 with the line
     * that says why (a port of the name on another bridge, the database not answering in time, the
     * switch not applying the change in time or the run stopped meanwhile: an addition is then taken
     * back from the database, as its undo would).
     *
     * @throws LeftToOvsVsctl for the caller to run the change's {@code ovs-vsctl} command instead
     *                        (both forms may run again: they remove a port of the name before they
     *                        add one, and remove none that is gone)
     */
    public static CommandResult apply(Path socket, Command.OvsPortChange change, BooleanSupplier stopping)
            throws LeftToOvsVsctl {
        return apply(socket, change, OvsdbSocket.TIMEOUT, SWITCH_WAIT, stopping);
    }

    static CommandResult apply(Path socket, Command.OvsPortChange change, Duration timeout, Duration switchWait)
            throws LeftToOvsVsctl {
        return apply(socket, change, timeout, switchWait, () -> false);
    }

    static CommandResult apply(Path socket, Command.OvsPortChange change, Duration timeout, Duration switchWait,
                               BooleanSupplier stopping) throws LeftToOvsVsctl {
        try {
            for (int attempt = 1; ; attempt++) {
                Read read = read(socket, change, timeout);
                if (change.added().isEmpty() && read.port().isEmpty() && !read.portNamesBridge()) {
                    return new CommandResult(0, "", ""); // --if-exists: no such port, nothing to do
                }
                if (!read.bridgeExists() || read.portNamesBridge() || read.portOnFakeBridge()) {
                    throw new LeftToOvsVsctl("no bridge named " + change.bridge() + " in the database, a port"
                            + " named as a bridge, or a port of a VLAN's fake bridge", null);
                }
                Optional<String> refusal = refusal(change, read);
                if (refusal.isPresent()) {
                    return failed(refusal.get());
                }
                List<Object> operations = operations(change, read);
                List<Map<String, Object>> results;
                try {
                    results = OvsdbSocket.transact(socket, operations, timeout);
                } catch (OvsdbSocket.Refused e) {
                    if (e.error().equals(TIMED_OUT) && stopping.getAsBoolean()) {
                        return failed(STOPPED); // a row read changed meanwhile, and nothing was changed
                    }
                    if (e.error().equals(TIMED_OUT) && attempt < ATTEMPTS) {
                        continue; // a row read changed meanwhile
                    }
                    throw new LeftToOvsVsctl(e.getMessage(), e);
                }
                if (!change.awaitSwitch()) {
                    return new CommandResult(0, "", "");
                }
                long nextCfg = ((Number) Json.object(OvsdbSocket.rows(results.get(results.size() - 1)).get(0))
                        .get("next_cfg")).longValue();
                if (change.added().isEmpty()) {
                    return awaitSwitch(socket, nextCfg, timeout, switchWait, stopping).outcome();
                }
                Answer answer = awaitSwitch(socket, nextCfg, timeout, switchWait, stopping,
                        select("Interface", List.of(List.of("name", "==", change.port())), "ofport", "error"));
                CommandResult waited = answer.results().isEmpty() ? answer.outcome()
                        : unopened(change.port(), answer.results().get(0));
                if (waited.succeeded()) {
                    return waited;
                }
                return takeBack(socket, change, uuid(results.get(portInsertion(operations)).get("uuid")), waited,
                        timeout);
            }
        } catch (OvsdbSocket.NoAnswer e) {
            return failed(CommandResult.ovsDatabaseDown(e.getMessage()));
        } catch (IOException e) {
            throw new LeftToOvsVsctl(e.getMessage(), e);
        } catch (JsonException | ClassCastException | IndexOutOfBoundsException e) {
            throw new LeftToOvsVsctl("Open vSwitch's database gave an answer that cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * An addition whose wait failed (or whose interface the switch could not set up), taken back from
     * the database (the bridge's hold of the port's row, by its UUID: nothing if another client has
     * replaced it since): what the step's undo does, which a failed step does not get, without
     * waiting for the switch.
     */
    private static CommandResult takeBack(Path socket, Command.OvsPortChange change, String port, CommandResult waited,
                                          Duration timeout) {
        try {
            OvsdbSocket.transact(socket, List.of(takeOff(change.bridge(), port)), timeout);
            return waited;
        } catch (IOException | JsonException e) {
            return failed(waited.stderr().strip() + "\nthe port's record is left in Open vSwitch's database ("
                    + e.getMessage() + "); ovs-vsctl --if-exists del-port " + change.bridge() + " " + change.port()
                    + " removes it");
        }
    }

    /** Where the port's insertion is among the operations (its result holds the new row's UUID). */
    private static int portInsertion(List<Object> operations) {
        for (int i = 0; i < operations.size(); i++) {
            if (operations.get(i) instanceof Map<?, ?> op && "port".equals(op.get("uuid-name"))) {
                return i;
            }
        }
        throw new IndexOutOfBoundsException("no port inserted");
    }

    /** The bridge's hold of a port's row, by its UUID, taken off (the database then drops the row). */
    private static Map<String, Object> takeOff(String bridge, String port) {
        return mutate("Bridge", List.of(List.of("name", "==", bridge)),
                List.of("ports", "delete", List.of("set", List.of(List.of("uuid", port)))));
    }

    /**
     * The rows a change touches, as read: whether the bridge exists, whether the port's name is a
     * bridge's, the port of the name, its VLAN tag (the column as the database gave it), the bridge
     * that holds it, the VLAN fake bridges of its tag (their ports' UUIDs, on any bridge) and whether
     * one of them is on that bridge, so that {@code ovs-vsctl} counts the port as that fake
     * bridge's.
     */
    record Read(boolean bridgeExists, boolean portNamesBridge, Optional<String> port, Object tag,
                Optional<String> portsBridge, List<String> fakeBridges, boolean portOnFakeBridge) {
    }

    private static Read read(Path socket, Command.OvsPortChange change, Duration timeout) throws IOException {
        List<Map<String, Object>> results = OvsdbSocket.transact(socket, List.of(
                select("Bridge", List.of(List.of("name", "==", change.bridge())), "_uuid"),
                select("Bridge", List.of(List.of("name", "==", change.port())), "_uuid"),
                select("Port", List.of(List.of("name", "==", change.port())), "_uuid", "tag")), timeout);
        boolean bridgeExists = !OvsdbSocket.rows(results.get(0)).isEmpty();
        boolean portNamesBridge = !OvsdbSocket.rows(results.get(1)).isEmpty();
        List<Object> ports = OvsdbSocket.rows(results.get(2));
        if (ports.isEmpty()) {
            return new Read(bridgeExists, portNamesBridge, Optional.empty(), NO_TAG, Optional.empty(), List.of(), false);
        }
        Map<String, Object> found = Json.object(ports.get(0));
        String port = uuid(found.get("_uuid"));
        Object tag = found.get("tag");
        // A VLAN's fake bridge is a port of its parent (fake_bridge=true, the VLAN its tag); ovs-vsctl
        // counts the parent's other ports of that tag as the fake bridge's.
        List<Object> questions = new ArrayList<>(List.of(
                select("Bridge", List.of(List.of("ports", "includes", List.of("uuid", port))), "name")));
        if (tag instanceof Number) {
            questions.add(select("Port", fakeBridgesOf(tag), "_uuid"));
        }
        List<Map<String, Object>> answers = OvsdbSocket.transact(socket, questions, timeout);
        List<Object> holders = OvsdbSocket.rows(answers.get(0));
        Optional<String> holder = holders.isEmpty() ? Optional.empty()
                : Optional.of((String) Json.object(holders.get(0)).get("name"));
        List<String> fakes = new ArrayList<>();
        if (answers.size() > 1) {
            for (Object fake : OvsdbSocket.rows(answers.get(1))) {
                fakes.add(uuid(Json.object(fake).get("_uuid")));
            }
        }
        boolean onFakeBridge = false;
        if (holder.isPresent() && !fakes.isEmpty()) {
            List<Object> onHolder = new ArrayList<>();
            for (String fake : fakes) {
                onHolder.add(select("Bridge", List.of(List.of("name", "==", holder.get()),
                        List.of("ports", "includes", List.of("uuid", fake))), "_uuid"));
            }
            for (Map<String, Object> answer : OvsdbSocket.transact(socket, onHolder, timeout)) {
                onFakeBridge |= !OvsdbSocket.rows(answer).isEmpty();
            }
        }
        return new Read(bridgeExists, portNamesBridge, Optional.of(port), tag, holder, List.copyOf(fakes),
                onFakeBridge);
    }

    /** The ports that are VLAN fake bridges of this tag. */
    private static List<Object> fakeBridgesOf(Object tag) {
        return List.of(List.of("fake_bridge", "==", true), List.of("tag", "==", tag));
    }

    /**
     * What ovs-vsctl refuses, in its words, of a change on a bridge that is there: a port of the name
     * on another bridge (the {@code --if-exists del-port} that an addition begins with refuses it
     * first).
     */
    static Optional<String> refusal(Command.OvsPortChange change, Read read) {
        if (read.port().isPresent() && !read.portsBridge().equals(Optional.of(change.bridge()))) {
            return Optional.of("bridge " + change.bridge() + " does not have a port " + change.port());
        }
        return Optional.empty();
    }

    /**
     * The transaction: the rows read, as read (a {@code wait} that fails at once otherwise); the
     * port of the name taken off the bridge (the database drops its row and its interface's, which
     * nothing else holds); the new interface and port and the bridge's hold of it; where the change
     * waits, a new configuration number for the switch to say it has applied ({@code next_cfg}, read
     * back last).
     */
    static List<Object> operations(Command.OvsPortChange change, Read read) {
        List<Object> ops = new ArrayList<>();
        Map<String, Object> comment = new LinkedHashMap<>();
        comment.put("op", "comment");
        comment.put("comment", "pipework: " + String.join(" ", change.argv()));
        ops.add(comment);
        ops.add(unchanged("Bridge", List.of(List.of("name", "==", change.bridge())), "name",
                Optional.of(change.bridge())));
        ops.add(unchanged("Port", List.of(List.of("name", "==", change.port())), "_uuid",
                read.port().map(p -> (Object) List.of("uuid", p))));
        read.port().ifPresent(p -> {
            ops.add(unchanged("Bridge", List.of(List.of("name", "==", change.bridge()),
                    List.of("ports", "includes", List.of("uuid", p))), "name", Optional.of(change.bridge())));
            // Nor may it have become a fake bridge's port meanwhile (ovs-vsctl verifies every bridge's ports).
            ops.add(unchanged("Port", List.of(List.of("name", "==", change.port())), "tag", Optional.of(read.tag())));
            if (read.tag() instanceof Number) {
                List<Object> fakes = new ArrayList<>();
                read.fakeBridges().forEach(f -> fakes.add(Map.of("_uuid", List.of("uuid", f))));
                ops.add(OvsdbSocket.await("Port", fakeBridgesOf(read.tag()), "_uuid", "==", fakes, 0));
            }
            ops.add(takeOff(change.bridge(), p));
        });
        change.added().ifPresent(added -> {
            Map<String, Object> iface = new LinkedHashMap<>();
            iface.put("name", change.port());
            List<Object> pairs = new ArrayList<>();
            new TreeMap<>(added.externalIds()).forEach((k, v) -> pairs.add(List.of(k, v)));
            iface.put("external_ids", List.of("map", pairs));
            ops.add(insert("Interface", iface, "iface"));
            Map<String, Object> port = new LinkedHashMap<>();
            port.put("name", change.port());
            port.put("interfaces", List.of("named-uuid", "iface"));
            added.tag().ifPresent(tag -> port.put("tag", tag));
            ops.add(insert("Port", port, "port"));
            ops.add(mutate("Bridge", List.of(List.of("name", "==", change.bridge())),
                    List.of("ports", "insert", List.of("set", List.of(List.of("named-uuid", "port"))))));
        });
        if (change.awaitSwitch()) {
            // What is waited for; ovs-vsctl --no-wait leaves it as it is (the switch applies any change).
            ops.add(mutate("Open_vSwitch", List.of(), List.of("next_cfg", "+=", 1)));
            ops.add(select("Open_vSwitch", List.of(), "next_cfg"));
        }
        return ops;
    }

    /**
     * Waits until the switch has the port's interface (its {@code ofport} set, as the switch does as
     * it applies the database), as {@code ovs-vsctl wait-until Interface <port> ofport!=[]}: exit
     * status 0, or 1 with the line that says why (the bound, a signal's stop, no answer in time).
     *
     * @throws LeftToOvsVsctl where the database could not be asked, for the caller to run the
     *                        {@code ovs-vsctl} command
     */
    public static CommandResult awaitPort(Path socket, Command.AwaitOvsPort await, BooleanSupplier stopping)
            throws LeftToOvsVsctl {
        return awaitPort(socket, await, OvsdbSocket.TIMEOUT, SWITCH_WAIT, stopping);
    }

    static CommandResult awaitPort(Path socket, Command.AwaitOvsPort await, Duration timeout, Duration switchWait,
                                   BooleanSupplier stopping) throws LeftToOvsVsctl {
        try {
            // Until a row of the name with an OpenFlow port is there: as wait-until, which waits for the row too.
            List<Object> named = List.of(List.of("name", "==", await.port()));
            Answer answer = awaitOnServer(socket, "Interface", List.of(named.get(0),
                    List.of("ofport", "!=", List.of("set", List.of()))), "name", List.of(), timeout, switchWait, stopping,
                    select("Interface", named, "ofport", "error"));
            return answer.results().isEmpty() ? answer.outcome() : unopened(await.port(), answer.results().get(0));
        } catch (IOException e) {
            throw new LeftToOvsVsctl(e.getMessage(), e);
        } catch (JsonException | ClassCastException | IndexOutOfBoundsException e) {
            throw new LeftToOvsVsctl("Open vSwitch's database gave an answer that cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * The switch's port for the interface, once it has applied the change: {@code ofport} -1 where it
     * could not set the interface up (a device it cannot open, say), or none at all, which
     * {@code ovs-vsctl add-port} reports in these words (before Open vSwitch 3.6 as a warning, its
     * exit status 0; since then with status 65) and {@code wait-until ... ofport!=[]} passes on -1;
     * here a failure, as no packet would pass.
     */
    private static CommandResult unopened(String port, Map<String, Object> selected) {
        for (Object row : OvsdbSocket.rows(selected)) {
            Map<String, Object> columns = Json.object(row);
            if (!(columns.get("ofport") instanceof Number n) || n.longValue() == -1) {
                String error = columns.get("error") instanceof String e && !e.isEmpty() ? ": " + e : "";
                return failed("Error detected while setting up '" + port + "'" + error
                        + ".  See ovs-vswitchd log for details.");
            }
        }
        return new CommandResult(0, "", "");
    }

    /**
     * Waits on the server until the switch has applied configuration {@code nextCfg} or a later one
     * (another client's change may come after ours and be applied with it); {@code then} is asked
     * once it has.
     */
    private static Answer awaitSwitch(Path socket, long nextCfg, Duration timeout, Duration switchWait,
                                      BooleanSupplier stopping, Object... then) throws IOException {
        return awaitOnServer(socket, "Open_vSwitch", List.of(List.of("cur_cfg", ">=", nextCfg)), "cur_cfg", List.of(),
                timeout, switchWait, stopping, then);
    }

    /**
     * How a wait on the server ended, and where it ended as awaited, the results of the operations
     * asked after the wait in its transaction (none otherwise).
     */
    private record Answer(CommandResult outcome, List<Map<String, Object>> results) {
    }

    /**
     * Waits on the server until the rows {@code where} selects, {@code column} alone, are no longer
     * {@code rows}, in waits of at most {@link #SLICE}, so that a run being stopped by a signal does
     * not wait for the switch; {@code then} is asked in the same transaction, once the wait is over.
     */
    private static Answer awaitOnServer(Path socket, String table, List<Object> where, String column,
                                        List<Object> rows, Duration timeout, Duration switchWait,
                                        BooleanSupplier stopping, Object... then) throws IOException {
        long deadline = System.nanoTime() + switchWait.toNanos();
        while (true) {
            long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            try {
                List<Object> operations = new ArrayList<>();
                operations.add(OvsdbSocket.await(table, where, column, "!=", rows, Math.min(left, SLICE.toMillis())));
                operations.addAll(List.of(then));
                List<Map<String, Object>> results = OvsdbSocket.transact(socket, operations, SLICE.plus(timeout));
                return new Answer(new CommandResult(0, "", ""), results.subList(1, results.size()));
            } catch (OvsdbSocket.Refused e) {
                if (!e.error().equals(TIMED_OUT)) {
                    throw e;
                }
            } catch (OvsdbSocket.NoAnswer e) {
                return new Answer(failed(CommandResult.ovsDatabaseDown(e.getMessage())), List.of());
            }
            if (stopping.getAsBoolean()) {
                return new Answer(failed(STOPPED), List.of());
            }
            if (left == 0 || System.nanoTime() >= deadline) {
                long ms = switchWait.toMillis();
                return new Answer(failed("Open vSwitch's switch (is ovs-vswitchd running?) did not apply the change"
                        + " within " + (ms % 1000 == 0 ? Long.toString(ms / 1000) : Double.toString(ms / 1000.0))
                        + " s"), List.of());
            }
        }
    }

    private static CommandResult failed(String line) {
        return new CommandResult(1, "", line + "\n");
    }

    private static String uuid(Object atom) {
        List<Object> a = Json.array(atom);
        if (!"uuid".equals(a.get(0))) {
            throw new JsonException("not a UUID: " + Json.write(atom));
        }
        return (String) a.get(1);
    }

    private static Map<String, Object> select(String table, List<Object> where, String... columns) {
        return OvsdbSocket.select(table, where, columns);
    }

    /** Fails the transaction at once unless the rows {@code where} selects are one with {@code column} = value, or none. */
    private static Map<String, Object> unchanged(String table, List<Object> where, String column, Optional<Object> value) {
        return OvsdbSocket.await(table, where, column, "==",
                value.map(v -> List.<Object>of(Map.of(column, v))).orElse(List.of()), 0);
    }

    private static Map<String, Object> mutate(String table, List<Object> where, List<Object> mutation) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("op", "mutate");
        op.put("table", table);
        op.put("where", where);
        op.put("mutations", List.of(mutation));
        return op;
    }

    private static Map<String, Object> insert(String table, Map<String, Object> row, String name) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("op", "insert");
        op.put("table", table);
        op.put("row", row);
        op.put("uuid-name", name);
        return op;
    }
}

package dev.pipework.plan;

import dev.pipework.model.Vlan;
import dev.pipework.plan.Command.Exec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Steps on Open vSwitch: {@code ovs-vsctl}, a port's change on the database's socket ({@link Command.OvsPortChange}). */
public final class OvsSteps {
    /**
     * Every {@code ovs-vsctl} that changes something gives up on its own after this many seconds
     * (it otherwise waits for ever for an {@code ovs-vswitchd} that does not answer), well within
     * the runner's bound, so that its own message is the one reported.
     */
    public static final String OVS_TIMEOUT = "--timeout=30";

    private OvsSteps() {
    }

    /**
     * An {@code ovs-vsctl} command line without the {@code --no-wait} that an attach's port and its
     * undo carry after {@link #OVS_TIMEOUT}: whether it waits for the switch changes nothing in the
     * database.
     */
    public static List<String> withoutNoWait(List<String> argv) {
        if (argv.size() > 2 && argv.get(0).equals("ovs-vsctl") && argv.get(1).equals(OVS_TIMEOUT)
                && argv.get(2).equals("--no-wait")) {
            List<String> without = new ArrayList<>(argv);
            without.remove(2);
            return List.copyOf(without);
        }
        return argv;
    }

    /**
     * {@code ovs-vsctl add-br <name>}. Without the kernel datapath the bridge must use the userspace
     * one, or ovs-vswitchd accepts it and then cannot open it.
     */
    public record AddOvsBridge(String name, boolean userspaceDatapath) implements Step {
        public Command command() {
            List<String> argv = new ArrayList<>(List.of("ovs-vsctl", OVS_TIMEOUT, "add-br", name));
            if (userspaceDatapath) {
                argv.addAll(List.of("--", "set", "bridge", name, "datapath_type=netdev"));
            }
            return Exec.of(argv);
        }

        public Optional<Command> undo() {
            return Optional.of(Exec.of("ovs-vsctl", OVS_TIMEOUT, "--if-exists", "del-br", name));
        }

        public String action() {
            return "create Open vSwitch bridge \"" + name + "\"";
        }
    }

    /** {@code ovs-vsctl --if-exists del-port <bridge> <port>}: removes the port and its interface record. */
    public record RemoveOvsPort(String bridge, String port) implements Step {
        public Command command() {
            return new Command.OvsPortChange(bridge, port, Optional.empty(), true,
                    List.of("ovs-vsctl", OVS_TIMEOUT, "--if-exists", "del-port", bridge, port));
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "remove port \"" + port + "\" from Open vSwitch bridge \"" + bridge + "\"";
        }
    }

    /**
     * {@code ovs-vsctl --timeout=30 wait-until Interface <port> ofport!=[]}: waits for the switch to
     * have the port of an {@link AddOvsPort} that did not wait, once it is in the switch's datapath
     * (the switch sets its OpenFlow port number as it applies the database). Nothing to undo.
     */
    public record AwaitOvsPort(String bridge, String port) implements Step {
        public Command command() {
            return new Command.AwaitOvsPort(port, List.of("ovs-vsctl", OVS_TIMEOUT, "wait-until", "Interface", port,
                    "ofport!=[]"));
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "wait for Open vSwitch to take port \"" + port + "\" into bridge \"" + bridge + "\"";
        }
    }

    /** {@code ovs-vsctl --if-exists del-br <name>}: a bridge a Docker network created, once its last port has gone. */
    public record DeleteOvsBridge(String name) implements Step {
        public Command command() {
            return Exec.of("ovs-vsctl", OVS_TIMEOUT, "--if-exists", "del-br", name);
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "delete Open vSwitch bridge \"" + name + "\"";
        }
    }

    /**
     * {@code ovs-vsctl add-port <bridge> <port> [tag=<vlan>] -- set Interface <port> external-ids:...}.
     * A record of the same port left on this bridge by a veth that no longer exists is dropped in the
     * same transaction, so the new port gets this run's tag and ids; a port of that name on another
     * bridge makes add-port fail.
     */
    public record AddOvsPort(String bridge, String port, Optional<Vlan> vlan, Map<String, String> externalIds,
                             boolean awaitSwitch) implements Step {
        /** A port whose step waits for the switch to apply it, as {@code ovs-vsctl} without {@code --no-wait}. */
        public AddOvsPort(String bridge, String port, Optional<Vlan> vlan, Map<String, String> externalIds) {
            this(bridge, port, vlan, externalIds, true);
        }

        public Command command() {
            List<String> argv = new ArrayList<>(List.of("ovs-vsctl", OVS_TIMEOUT));
            if (!awaitSwitch) {
                argv.add("--no-wait");
            }
            argv.addAll(List.of("--if-exists", "del-port", bridge, port, "--", "add-port", bridge, port));
            vlan.ifPresent(v -> argv.add("tag=" + v));
            argv.addAll(List.of("--", "set", "Interface", port));
            externalIds.forEach((key, value) -> argv.add("external-ids:" + key + "=" + ovsString(value)));
            return new Command.OvsPortChange(bridge, port,
                    Optional.of(new Command.NewOvsPort(vlan.map(Vlan::id), externalIds)), awaitSwitch, argv);
        }

        /** Removes the port; without waiting for the switch where the addition did not (it may not answer). */
        public Optional<Command> undo() {
            return Optional.of(awaitSwitch ? Exec.of("ovs-vsctl", OVS_TIMEOUT, "--if-exists", "del-port", bridge, port)
                    : Exec.of("ovs-vsctl", OVS_TIMEOUT, "--no-wait", "--if-exists", "del-port", bridge, port));
        }

        public String action() {
            return "add port \"" + port + "\" to Open vSwitch bridge \"" + bridge + "\"";
        }

        /**
         * ovs-vsctl takes a string value bare, as the original passes it, unless it starts with a
         * double quote; a quoted value is read as a JSON-like string. Anything unusual is quoted.
         */
        static String ovsString(String value) {
            if (value.matches("[A-Za-z0-9_./:-]+")) {
                return value;
            }
            return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
    }
}

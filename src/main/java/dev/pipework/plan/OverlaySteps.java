package dev.pipework.plan;

import dev.pipework.plan.Command.Exec;
import dev.pipework.plan.Command.Ip;
import dev.pipework.sys.Where;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Steps of an overlay: its bridge, its kernel {@code vxlan} device and FDB, its Open vSwitch tunnel ports. */
public final class OverlaySteps {
    /** The FDB entry of a VXLAN device that floods: unknown unicast, broadcast and multicast go to each such peer. */
    static final String ALL_ZEROS = "00:00:00:00:00:00";

    private OverlaySteps() {
    }

    /** {@code ip link add dev <name> mtu <mtu> type bridge}. */
    public record AddBridge(String name, int mtu) implements Step {
        public Command command() {
            return Ip.of(Where.HOST, "link", "add", "dev", name, "mtu", Integer.toString(mtu), "type", "bridge");
        }

        public Optional<Command> undo() {
            return Optional.of(Ip.of(Where.HOST, "link", "del", "dev", name));
        }

        public String action() {
            return "create bridge \"" + name + "\"";
        }
    }

    /**
     * {@code ip link add dev <name> mtu <mtu> type vxlan id <vni> local <address> dstport 4789 dev
     * <underlay> nolearning}: the peers come from the FDB entries the plan appends, never from
     * packets received (learning off), so a forged source cannot redirect the segment's traffic.
     */
    public record AddVxlan(String name, int vni, String local, String underlay, int mtu) implements Step {
        public Command command() {
            return Ip.of(Where.HOST, "link", "add", "dev", name, "mtu", Integer.toString(mtu), "type", "vxlan",
                    "id", Integer.toString(vni), "local", local, "dstport", Integer.toString(Overlay.DSTPORT),
                    "dev", underlay, "nolearning");
        }

        public Optional<Command> undo() {
            return Optional.of(Ip.of(Where.HOST, "link", "del", "dev", name));
        }

        public String action() {
            return "create VXLAN device \"" + name + "\" (VNI " + vni + ")";
        }
    }

    /**
     * {@code bridge fdb append 00:00:00:00:00:00 dev <vxlan> dst <peer>}: one per peer; deleting the
     * device (the undo of its creation) deletes them.
     */
    public record AppendFdb(String device, String peer) implements Step {
        public Command command() {
            return Exec.of("bridge", "fdb", "append", ALL_ZEROS, "dev", device, "dst", peer);
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "add peer " + peer + " to \"" + device + "\"";
        }
    }

    /**
     * {@code bridge fdb del 00:00:00:00:00:00 dev <vxlan> dst <peer>}: a peer no longer registered.
     * Nothing to undo: the next pass of the keeper brings the FDB to what etcd holds.
     */
    public record DeleteFdb(String device, String peer) implements Step {
        public Command command() {
            return Exec.of("bridge", "fdb", "del", ALL_ZEROS, "dev", device, "dst", peer);
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "remove peer " + peer + " from \"" + device + "\"";
        }
    }

    /**
     * {@code ovs-vsctl add-br <name> [-- set bridge <name> datapath_type=netdev] -- set Interface <name>
     * mtu_request=<mtu> [external-ids:pipework.overlay=<settings>]}: the bridge's own interface holds
     * the overlay's MTU, which attachments take as the bridge's, and the mark of an overlay that
     * follows etcd (which has no tunnel port to carry it until a peer registers).
     */
    public record AddOvsBridge(String name, boolean userspaceDatapath, int mtu, Optional<String> mark) implements Step {
        public Command command() {
            List<String> argv = new ArrayList<>(List.of("ovs-vsctl", OvsSteps.OVS_TIMEOUT, "add-br", name));
            if (userspaceDatapath) {
                argv.addAll(List.of("--", "set", "bridge", name, "datapath_type=netdev"));
            }
            argv.addAll(List.of("--", "set", "Interface", name, "mtu_request=" + mtu));
            mark.ifPresent(m -> argv.add("external-ids:" + Overlay.OVS_KEY + "=" + OvsSteps.AddOvsPort.ovsString(m)));
            return Exec.of(argv);
        }

        public Optional<Command> undo() {
            return Optional.of(Exec.of("ovs-vsctl", OvsSteps.OVS_TIMEOUT, "--if-exists", "del-br", name));
        }

        public String action() {
            return "create Open vSwitch bridge \"" + name + "\"";
        }
    }

    /**
     * {@code ovs-vsctl add-port <bridge> <port> -- set Port <port> protected=true -- set Interface
     * <port> type=vxlan options:remote_ip=<peer> options:key=<vni> options:dst_port=4789
     * external-ids:pipework.overlay=<settings> external-ids:pipework.peer=<peer>}: each tunnel port
     * carries the overlay's mark. One port per peer, each protected: the bridge's NORMAL action (MAC learning, flooding) works
     * unchanged, and what arrives from one peer is never flooded to another (the full mesh of
     * tunnels would otherwise loop broadcasts between the hosts).
     */
    public record AddTunnelPort(String bridge, String port, String peer, int vni, String settings) implements Step {
        public Command command() {
            return Exec.of("ovs-vsctl", OvsSteps.OVS_TIMEOUT, "add-port", bridge, port,
                    "--", "set", "Port", port, "protected=true",
                    "--", "set", "Interface", port, "type=vxlan", "options:remote_ip=" + peer,
                    "options:key=" + vni, "options:dst_port=" + Overlay.DSTPORT,
                    "external-ids:" + Overlay.OVS_KEY + "=" + OvsSteps.AddOvsPort.ovsString(settings), "external-ids:" + Overlay.OVS_PEER_KEY + "=" + peer);
        }

        public Optional<Command> undo() {
            return Optional.of(Exec.of("ovs-vsctl", OvsSteps.OVS_TIMEOUT, "--if-exists", "del-port", bridge, port));
        }

        public String action() {
            return "add the tunnel to " + peer + " to Open vSwitch bridge \"" + bridge + "\"";
        }
    }

    /** {@code ovs-vsctl --if-exists del-br <name>}: the bridge and every port of it. */
    public record RemoveOvsBridge(String name) implements Step {
        public Command command() {
            return Exec.of("ovs-vsctl", OvsSteps.OVS_TIMEOUT, "--if-exists", "del-br", name);
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "remove Open vSwitch bridge \"" + name + "\"";
        }
    }
}

package dev.pipework.plan;

import dev.pipework.model.MacAddress;
import dev.pipework.model.MacvlanMode;
import dev.pipework.plan.Command.Exec;
import dev.pipework.plan.Command.Ip;
import dev.pipework.sys.Where;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Steps on links: {@code ip link} and, for a wireless NIC, {@code iw phy}. */
public final class LinkSteps {
    private LinkSteps() {
    }

    /** {@code ip link add dev <name> type bridge}. */
    public record AddLinuxBridge(String name) implements Step {
        public Command command() {
            return Ip.of(Where.HOST, "link", "add", "dev", name, "type", "bridge");
        }

        public Optional<Command> undo() {
            return Optional.of(Ip.of(Where.HOST, "link", "del", "dev", name));
        }

        public String action() {
            return "create bridge \"" + name + "\"";
        }
    }

    /**
     * {@code ip link del dev <name>}: a leftover that is down, removed so that it can be made again, or
     * an attachment removed by {@code del}. Deleting either end of a veth deletes both.
     */
    public record DeleteLink(Where where, String name) implements Step {
        public Command command() {
            return Ip.of(where, "link", "del", "dev", name);
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "delete link \"" + name + "\"";
        }
    }

    /**
     * {@code ip link set dev <name> alias <alias>}: marks what an attach made, for {@code status} and
     * {@code del}. On a NIC that goes back to the host, the undo restores its own alias.
     */
    public record SetAlias(Where where, String name, String alias, Optional<String> restore) implements Step {
        public SetAlias(Where where, String name, String alias) {
            this(where, name, alias, Optional.empty());
        }

        public Command command() {
            return Ip.of(where, "link", "set", "dev", name, "alias", alias);
        }

        public Optional<Command> undo() {
            return restore.map(old -> Ip.of(where, "link", "set", "dev", name, "alias", old));
        }

        public String action() {
            return "set the alias of \"" + name + "\"";
        }
    }

    /** {@code ip link add link <parent> name <name> mtu <mtu> type vlan id <id>}: an 802.1Q sub-interface. */
    public record AddVlanLink(String parent, String name, int mtu, int id) implements Step {
        public Command command() {
            return Ip.of(Where.HOST, "link", "add", "link", parent, "name", name, "mtu", Integer.toString(mtu),
                    "type", "vlan", "id", Integer.toString(id));
        }

        public Optional<Command> undo() {
            return Optional.of(Ip.of(Where.HOST, "link", "del", "dev", name));
        }

        public String action() {
            return "create VLAN " + id + " interface \"" + name + "\" on \"" + parent + "\"";
        }
    }

    /** {@code ip link add link <parent> dev <name> mtu <mtu> type macvlan mode <mode>}. */
    public record AddMacvlan(String parent, String name, int mtu, MacvlanMode mode) implements Step {
        public Command command() {
            return Ip.of(Where.HOST, "link", "add", "link", parent, "dev", name, "mtu", Integer.toString(mtu),
                    "type", "macvlan", "mode", mode.word());
        }

        public Optional<Command> undo() {
            return Optional.of(Ip.of(Where.HOST, "link", "del", "dev", name));
        }

        public String action() {
            return "create macvlan \"" + name + "\" on \"" + parent + "\"";
        }
    }

    /** {@code ip link add dev <name> [mtu <mtu>] type dummy}. */
    public record AddDummy(String name, Optional<Integer> mtu) implements Step {
        public Command command() {
            List<String> words = new ArrayList<>(List.of("link", "add", "dev", name));
            mtu.ifPresent(m -> words.addAll(List.of("mtu", Integer.toString(m))));
            words.addAll(List.of("type", "dummy"));
            return new Ip(Where.HOST, Optional.empty(), words);
        }

        public Optional<Command> undo() {
            return Optional.of(Ip.of(Where.HOST, "link", "del", "dev", name));
        }

        public String action() {
            return "create dummy \"" + name + "\"";
        }
    }

    /**
     * {@code ip link add link <parent> name <name> [mtu <mtu>] type <type> [<arguments>]}: a link the
     * kernel hangs off a parent on the host (an IPoIB child, the InfiniBand counterpart of a macvlan,
     * with {@code pkey 0x<pkey>}), made on the host, then moved into the guest. A new type of child
     * link is a value of this step, not a step of its own.
     *
     * @param type      the link type, as {@code ip} names it
     * @param arguments the type's own words after it
     * @param what      how messages name such a link ({@code IPoIB child})
     */
    public record AddChildLink(String parent, String name, Optional<Integer> mtu, String type, List<String> arguments,
                               String what) implements Step {
        public AddChildLink {
            arguments = List.copyOf(arguments);
        }

        public Command command() {
            List<String> words = new ArrayList<>(List.of("link", "add", "link", parent, "name", name));
            mtu.ifPresent(m -> words.addAll(List.of("mtu", Integer.toString(m))));
            words.addAll(List.of("type", type));
            words.addAll(arguments);
            return new Ip(Where.HOST, Optional.empty(), words);
        }

        public Optional<Command> undo() {
            return Optional.of(Ip.of(Where.HOST, "link", "del", "dev", name));
        }

        public String action() {
            return "create " + what + " \"" + name + "\" on \"" + parent + "\"";
        }
    }

    /**
     * {@code ip link add name <local> mtu <mtu> type veth peer name <peer> mtu <mtu> [netns <ns>]}. The
     * peer is made in the guest's namespace at once: moving a link between namespaces afterwards
     * costs the kernel a synchronisation (about 20 ms here), making it there costs nothing more.
     */
    public record AddVethPair(String local, String peer, int mtu, Optional<String> peerNetns) implements Step {
        /** Both ends on the host. */
        public AddVethPair(String local, String peer, int mtu) {
            this(local, peer, mtu, Optional.empty());
        }

        public Command command() {
            List<String> words = new ArrayList<>(List.of("link", "add", "name", local, "mtu", Integer.toString(mtu),
                    "type", "veth", "peer", "name", peer, "mtu", Integer.toString(mtu)));
            peerNetns.ifPresent(netns -> words.addAll(List.of("netns", netns)));
            return new Ip(Where.HOST, Optional.empty(), words);
        }

        /** Deleting one end deletes both, wherever the peer has moved. */
        public Optional<Command> undo() {
            return Optional.of(Ip.of(Where.HOST, "link", "del", "dev", local));
        }

        public String action() {
            return "create veth pair \"" + local + "\"/\"" + peer + "\"";
        }
    }

    /** {@code ip link set dev <link> master <bridge>}. */
    public record SetMaster(String link, String bridge) implements Step {
        public Command command() {
            return Ip.of(Where.HOST, "link", "set", "dev", link, "master", bridge);
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "connect \"" + link + "\" to bridge \"" + bridge + "\"";
        }
    }

    /**
     * {@code ip link set dev <name> up}, in the host or in the guest. Its undo sets the link down again
     * where the planner asks for it: a NIC that was down, or a link that must be renamed back.
     */
    public record SetLinkUp(Where where, String name, boolean downOnUndo) implements Step {
        public SetLinkUp(Where where, String name) {
            this(where, name, false);
        }

        public Command command() {
            return Ip.of(where, "link", "set", "dev", name, "up");
        }

        public Optional<Command> undo() {
            return downOnUndo ? Optional.of(Ip.of(where, "link", "set", "dev", name, "down")) : Optional.empty();
        }

        public String action() {
            return "set \"" + name + "\" up";
        }
    }

    /** {@code ip link set dev <name> down}: a NIC about to move; its undo brings it back up. */
    public record SetLinkDown(Where where, String name) implements Step {
        public Command command() {
            return Ip.of(where, "link", "set", "dev", name, "down");
        }

        public Optional<Command> undo() {
            return Optional.of(Ip.of(where, "link", "set", "dev", name, "up"));
        }

        public String action() {
            return "set \"" + name + "\" down";
        }
    }

    /**
     * {@code ip link set dev <link> netns <target>}; iproute2 opens a target that contains a '/' as a
     * namespace file. A veth needs no undo (deleting its host end takes it along); a link that
     * lives on its own is moved back to the host namespace ({@code hostNetns}) from inside the guest.
     */
    public record MoveToNetns(String link, String netnsTarget, String guestName, Optional<String> hostNetns)
            implements Step {
        public MoveToNetns(String link, String netnsTarget, String guestName) {
            this(link, netnsTarget, guestName, Optional.empty());
        }

        public Command command() {
            return Ip.of(Where.HOST, "link", "set", "dev", link, "netns", netnsTarget);
        }

        public Optional<Command> undo() {
            return hostNetns.map(host -> Ip.of(Where.guest(netnsTarget), "link", "set", "dev", link, "netns", host));
        }

        public String action() {
            return "move \"" + link + "\" into the network namespace of " + guestName;
        }
    }

    /**
     * {@code ip link set dev <link> netns <ns>}: a link this plan made (a macvlan, a dummy, an IPoIB
     * child) into the guest's namespace. Its undo deletes it there ({@code ip -n <ns> link del dev
     * <link>}), which is harmless where the move never ran: the name is pipework's own for this guest
     * and interface, and runs on one guest hold its lock, so a link of that name in the guest is no
     * other run's, and none of the host's (the host's, not moved, goes with the undo of the step that
     * made it); one the guest made under that name is the guest's to lose. Bringing it back instead
     * would bring into the host whatever the guest named so.
     */
    public record MoveNewLinkToNetns(String link, String netnsTarget, String guestName) implements Step {
        public Command command() {
            return Ip.of(Where.HOST, "link", "set", "dev", link, "netns", netnsTarget);
        }

        public Optional<Command> undo() {
            return Optional.of(Ip.of(Where.guest(netnsTarget), "link", "del", "dev", link));
        }

        @Override
        public boolean undoHarmlessIfNotRun() {
            return true;
        }

        public String action() {
            return "move \"" + link + "\" into the network namespace of " + guestName;
        }
    }

    /** {@code ip link set dev <link> netns <host>} run inside the guest: a NIC that {@code del} gives back. */
    public record ReturnToHost(Where where, String link, String hostNetns) implements Step {
        public Command command() {
            return Ip.of(where, "link", "set", "dev", link, "netns", hostNetns);
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "move \"" + link + "\" back to the host";
        }
    }

    /**
     * {@code iw phy <phy> set netns <pid>}: a wireless NIC moves with its wiphy, and nl80211 takes
     * a PID, not a namespace file. The undo moves it back to the process given as {@code hostPid}.
     */
    public record MovePhyToNetns(String phy, String link, long pid, String guestNetns, String guestName,
                                 long hostPid) implements Step {
        public Command command() {
            return Exec.of("iw", "phy", phy, "set", "netns", Long.toString(pid));
        }

        public Optional<Command> undo() {
            return Optional.of(Exec.of(Where.guest(guestNetns).wrap(
                    List.of("iw", "phy", phy, "set", "netns", Long.toString(hostPid)))));
        }

        public String action() {
            return "move wireless \"" + link + "\" (" + phy + ") into the network namespace of " + guestName;
        }
    }

    /** {@code ip link set dev <from> name <to>}; the link must be down. Its undo, when asked for, renames it back. */
    public record RenameLink(Where where, String from, String to, boolean renameBackOnUndo) implements Step {
        public RenameLink(Where where, String from, String to) {
            this(where, from, to, false);
        }

        public Command command() {
            return Ip.of(where, "link", "set", "dev", from, "name", to);
        }

        public Optional<Command> undo() {
            return renameBackOnUndo ? Optional.of(Ip.of(where, "link", "set", "dev", to, "name", from)) : Optional.empty();
        }

        public String action() {
            return "rename \"" + from + "\" to \"" + to + "\"";
        }
    }

    /**
     * The host's own record of a NIC moved whole into a guest, {@code <dir>/<netns inode>-<nic>}
     * holding {@code <name in guest> <MAC in guest> <nic> <its MAC on the host>}: a guest can set any
     * alias, but not write this file, so {@code del} and {@code status} trust only a link that
     * matches it. Removed on undo.
     */
    public record RecordDirect(String path, String content, String nic) implements Step.OwnPath {
        public Command command() {
            return new Command.WriteFile(path, content);
        }

        public Optional<Command> undo() {
            return Optional.of(Exec.of("rm", "-f", path));
        }

        public String action() {
            return "record that \"" + nic + "\" was moved into the guest (" + path + ")";
        }
    }

    /** {@code ip link set dev <name> address <mac>}; a NIC that goes back to the host gets its own MAC back. */
    public record SetMacAddress(Where where, String name, MacAddress mac, Optional<String> restore) implements Step {
        public SetMacAddress(Where where, String name, MacAddress mac) {
            this(where, name, mac, Optional.empty());
        }

        public Command command() {
            return Ip.of(where, "link", "set", "dev", name, "address", mac.text());
        }

        public Optional<Command> undo() {
            return restore.map(old -> Ip.of(where, "link", "set", "dev", name, "address", old));
        }

        public String action() {
            return "set the MAC address of \"" + name + "\" to " + mac;
        }
    }
}

package dev.pipework.plan;

import dev.pipework.exec.CommandResult;
import dev.pipework.guest.DockerContainer;
import dev.pipework.guest.DockerException;
import dev.pipework.model.Family;
import dev.pipework.model.IpAddress;
import dev.pipework.model.IpCidr;
import dev.pipework.model.MacAddress;
import dev.pipework.model.Vlan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The steps a plan is made of. */
public final class Steps {
    /**
     * Every {@code ovs-vsctl} that changes something gives up on its own after this many seconds
     * (it otherwise waits for ever for an {@code ovs-vswitchd} that does not answer), well within
     * the runner's bound, so that its own message is the one reported.
     */
    public static final String OVS_TIMEOUT = "--timeout=30";

    private Steps() {
    }

    /** {@code ip link add dev <name> type bridge}. */
    public record AddLinuxBridge(String name) implements Step {
        public List<String> argv() {
            return List.of("ip", "link", "add", "dev", name, "type", "bridge");
        }

        public List<String> undo() {
            return List.of("ip", "link", "del", name);
        }

        public String action() {
            return "create bridge \"" + name + "\"";
        }
    }

    /**
     * {@code ovs-vsctl add-br <name>}. Without the kernel datapath the bridge must use the userspace
     * one, or ovs-vswitchd accepts it and then cannot open it.
     */
    public record AddOvsBridge(String name, boolean userspaceDatapath) implements Step {
        public List<String> argv() {
            List<String> argv = new ArrayList<>(List.of("ovs-vsctl", OVS_TIMEOUT, "add-br", name));
            if (userspaceDatapath) {
                argv.addAll(List.of("--", "set", "bridge", name, "datapath_type=netdev"));
            }
            return List.copyOf(argv);
        }

        public List<String> undo() {
            return List.of("ovs-vsctl", OVS_TIMEOUT, "--if-exists", "del-br", name);
        }

        public String action() {
            return "create Open vSwitch bridge \"" + name + "\"";
        }
    }

    /**
     * {@code ip link del <name>}: a leftover that is down, removed so that it can be made again, or
     * an attachment removed by {@code del}. Deleting either end of a veth deletes both.
     */
    public record DeleteLink(Where where, String name) implements Step {
        public List<String> argv() {
            return where.wrap(List.of("ip", "link", "del", name));
        }

        public List<String> undo() {
            return List.of();
        }

        public String action() {
            return "delete link \"" + name + "\"";
        }
    }

    /**
     * {@code ip link set <name> alias <alias>}: marks what an attach made, for {@code status} and
     * {@code del}. On a NIC that goes back to the host, the undo restores its own alias.
     */
    public record SetAlias(Where where, String name, String alias, Optional<String> restore) implements Step {
        public SetAlias(Where where, String name, String alias) {
            this(where, name, alias, Optional.empty());
        }

        public List<String> argv() {
            return where.wrap(List.of("ip", "link", "set", name, "alias", alias));
        }

        public List<String> undo() {
            return restore.map(old -> where.wrap(List.of("ip", "link", "set", name, "alias", old))).orElse(List.of());
        }

        public String action() {
            return "set the alias of \"" + name + "\"";
        }
    }

    /** {@code ip link add link <parent> name <name> mtu <mtu> type vlan id <id>}: an 802.1Q sub-interface. */
    public record AddVlanLink(String parent, String name, int mtu, int id) implements Step {
        public List<String> argv() {
            return List.of("ip", "link", "add", "link", parent, "name", name, "mtu", Integer.toString(mtu),
                    "type", "vlan", "id", Integer.toString(id));
        }

        public List<String> undo() {
            return List.of("ip", "link", "del", name);
        }

        public String action() {
            return "create VLAN " + id + " interface \"" + name + "\" on \"" + parent + "\"";
        }
    }

    /** {@code ip link add link <parent> dev <name> mtu <mtu> type macvlan mode bridge}. */
    public record AddMacvlan(String parent, String name, int mtu) implements Step {
        public List<String> argv() {
            return List.of("ip", "link", "add", "link", parent, "dev", name, "mtu", Integer.toString(mtu),
                    "type", "macvlan", "mode", "bridge");
        }

        public List<String> undo() {
            return List.of("ip", "link", "del", name);
        }

        public String action() {
            return "create macvlan \"" + name + "\" on \"" + parent + "\"";
        }
    }

    /** {@code ip link add dev <name> type dummy}. */
    public record AddDummy(String name) implements Step {
        public List<String> argv() {
            return List.of("ip", "link", "add", "dev", name, "type", "dummy");
        }

        public List<String> undo() {
            return List.of("ip", "link", "del", name);
        }

        public String action() {
            return "create dummy \"" + name + "\"";
        }
    }

    /**
     * {@code ip link add link <parent> name <name> type ipoib [pkey 0x<pkey>]}: the IPoIB counterpart of
     * a macvlan (InfiniBand has no Ethernet layer to bridge).
     */
    public record AddIpoib(String parent, String name, Optional<String> pkey) implements Step {
        public List<String> argv() {
            List<String> argv = new ArrayList<>(List.of("ip", "link", "add", "link", parent, "name", name, "type", "ipoib"));
            pkey.ifPresent(k -> argv.addAll(List.of("pkey", "0x" + k)));
            return List.copyOf(argv);
        }

        public List<String> undo() {
            return List.of("ip", "link", "del", name);
        }

        public String action() {
            return "create IPoIB child \"" + name + "\" of \"" + parent + "\"";
        }
    }

    /** {@code ovs-vsctl --if-exists del-port <bridge> <port>}: removes the port and its interface record. */
    public record RemoveOvsPort(String bridge, String port) implements Step {
        public List<String> argv() {
            return List.of("ovs-vsctl", OVS_TIMEOUT, "--if-exists", "del-port", bridge, port);
        }

        public List<String> undo() {
            return List.of();
        }

        public String action() {
            return "remove port \"" + port + "\" from Open vSwitch bridge \"" + bridge + "\"";
        }
    }

    /** {@code ip link add name <local> mtu <mtu> type veth peer name <peer> mtu <mtu>}. */
    public record AddVethPair(String local, String peer, int mtu) implements Step {
        public List<String> argv() {
            return List.of("ip", "link", "add", "name", local, "mtu", Integer.toString(mtu), "type", "veth",
                    "peer", "name", peer, "mtu", Integer.toString(mtu));
        }

        /** Deleting one end deletes both, wherever the peer has moved. */
        public List<String> undo() {
            return List.of("ip", "link", "del", local);
        }

        public String action() {
            return "create veth pair \"" + local + "\"/\"" + peer + "\"";
        }
    }

    /** {@code ip link set <link> master <bridge>}. */
    public record SetMaster(String link, String bridge) implements Step {
        public List<String> argv() {
            return List.of("ip", "link", "set", link, "master", bridge);
        }

        public List<String> undo() {
            return List.of();
        }

        public String action() {
            return "connect \"" + link + "\" to bridge \"" + bridge + "\"";
        }
    }

    /**
     * {@code ovs-vsctl add-port <bridge> <port> [tag=<vlan>] -- set Interface <port> external-ids:...}.
     * A record of the same port left on this bridge by a veth that no longer exists is dropped in the
     * same transaction, so the new port gets this run's tag and ids; a port of that name on another
     * bridge makes add-port fail.
     */
    public record AddOvsPort(String bridge, String port, Optional<Vlan> vlan, Map<String, String> externalIds)
            implements Step {
        public List<String> argv() {
            List<String> argv = new ArrayList<>(List.of("ovs-vsctl", OVS_TIMEOUT, "--if-exists", "del-port", bridge,
                    port, "--", "add-port", bridge, port));
            vlan.ifPresent(v -> argv.add("tag=" + v));
            argv.addAll(List.of("--", "set", "Interface", port));
            externalIds.forEach((key, value) -> argv.add("external-ids:" + key + "=" + ovsString(value)));
            return List.copyOf(argv);
        }

        public List<String> undo() {
            return List.of("ovs-vsctl", OVS_TIMEOUT, "--if-exists", "del-port", bridge, port);
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

    /**
     * {@code ip link set <name> up}, in the host or in the guest. Its undo sets the link down again
     * where the planner asks for it: a NIC that was down, or a link that must be renamed back.
     */
    public record SetLinkUp(Where where, String name, boolean downOnUndo) implements Step {
        public SetLinkUp(Where where, String name) {
            this(where, name, false);
        }

        public List<String> argv() {
            return where.wrap(List.of("ip", "link", "set", name, "up"));
        }

        public List<String> undo() {
            return downOnUndo ? where.wrap(List.of("ip", "link", "set", name, "down")) : List.of();
        }

        public String action() {
            return "set \"" + name + "\" up";
        }
    }

    /** {@code ip link set <name> down}: a NIC about to move; its undo brings it back up. */
    public record SetLinkDown(Where where, String name) implements Step {
        public List<String> argv() {
            return where.wrap(List.of("ip", "link", "set", name, "down"));
        }

        public List<String> undo() {
            return where.wrap(List.of("ip", "link", "set", name, "up"));
        }

        public String action() {
            return "set \"" + name + "\" down";
        }
    }

    /**
     * {@code ip link set <link> netns <target>}; iproute2 opens a target that contains a '/' as a
     * namespace file. A veth needs no undo (deleting its host end takes it along); a link that
     * lives on its own is moved back to the host namespace ({@code hostNetns}) from inside the guest.
     */
    public record MoveToNetns(String link, String netnsTarget, String guestName, Optional<String> hostNetns)
            implements Step {
        public MoveToNetns(String link, String netnsTarget, String guestName) {
            this(link, netnsTarget, guestName, Optional.empty());
        }

        public List<String> argv() {
            return List.of("ip", "link", "set", link, "netns", netnsTarget);
        }

        public List<String> undo() {
            return hostNetns.map(host -> Where.guest(netnsTarget).wrap(List.of("ip", "link", "set", link, "netns", host)))
                    .orElse(List.of());
        }

        public String action() {
            return "move \"" + link + "\" into the network namespace of " + guestName;
        }
    }

    /** {@code ip link set <link> netns <host>} run inside the guest: a NIC that {@code del} gives back. */
    public record ReturnToHost(Where where, String link, String hostNetns) implements Step {
        public List<String> argv() {
            return where.wrap(List.of("ip", "link", "set", link, "netns", hostNetns));
        }

        public List<String> undo() {
            return List.of();
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
        public List<String> argv() {
            return List.of("iw", "phy", phy, "set", "netns", Long.toString(pid));
        }

        public List<String> undo() {
            return Where.guest(guestNetns).wrap(List.of("iw", "phy", phy, "set", "netns", Long.toString(hostPid)));
        }

        public String action() {
            return "move wireless \"" + link + "\" (" + phy + ") into the network namespace of " + guestName;
        }
    }

    /** {@code ip link set <from> name <to>}; the link must be down. Its undo, when asked for, renames it back. */
    public record RenameLink(Where where, String from, String to, boolean renameBackOnUndo) implements Step {
        public RenameLink(Where where, String from, String to) {
            this(where, from, to, false);
        }

        public List<String> argv() {
            return where.wrap(List.of("ip", "link", "set", from, "name", to));
        }

        public List<String> undo() {
            return renameBackOnUndo ? where.wrap(List.of("ip", "link", "set", to, "name", from)) : List.of();
        }

        public String action() {
            return "rename \"" + from + "\" to \"" + to + "\"";
        }
    }

    /** {@code ip link set dev <name> address <mac>}; a NIC that goes back to the host gets its own MAC back. */
    public record SetMacAddress(Where where, String name, MacAddress mac, Optional<String> restore) implements Step {
        public SetMacAddress(Where where, String name, MacAddress mac) {
            this(where, name, mac, Optional.empty());
        }

        public List<String> argv() {
            return where.wrap(List.of("ip", "link", "set", "dev", name, "address", mac.text()));
        }

        public List<String> undo() {
            return restore.map(old -> where.wrap(List.of("ip", "link", "set", "dev", name, "address", old)))
                    .orElse(List.of());
        }

        public String action() {
            return "set the MAC address of \"" + name + "\" to " + mac;
        }
    }

    /** {@code ip -4 addr add <cidr> brd <broadcast> dev <name>}; IPv6 has no broadcast. */
    public record AddAddress(Where where, Family family, IpCidr address, String device) implements Step {
        public List<String> argv() {
            List<String> argv = new ArrayList<>(List.of("ip", family.ipFlag(), "addr", "add", address.toString()));
            if (address.family() == Family.INET) {
                argv.add("brd");
                argv.add(address.broadcast());
            }
            argv.add("dev");
            argv.add(device);
            return where.wrap(argv);
        }

        public List<String> undo() {
            return List.of();
        }

        public String action() {
            return "add address " + address + " to \"" + device + "\"";
        }
    }

    /** {@code ip -4 route add <gateway>/32 dev <name>}: makes a gateway outside the subnet reachable on the link. */
    public record AddRoute(Where where, Family family, String destination, String device) implements Step {
        public List<String> argv() {
            return where.wrap(List.of("ip", family.ipFlag(), "route", "add", destination, "dev", device));
        }

        public List<String> undo() {
            return List.of();
        }

        public String action() {
            return "add route " + destination + " dev \"" + device + "\"";
        }

        @Override
        public Optional<String> routeAdded() {
            return Optional.of(destination + " dev " + device);
        }
    }

    /**
     * {@code ip -4 route replace default via <gateway> dev <name>}. Its undo puts back the default
     * route the guest had, which would otherwise be lost when the new link goes.
     */
    public record ReplaceDefaultRoute(Where where, Family family, IpAddress gateway, String device,
                                      Optional<DefaultRoute> previous) implements Step {
        public List<String> argv() {
            return where.wrap(List.of("ip", family.ipFlag(), "route", "replace", "default", "via",
                    gateway.toString(), "dev", device));
        }

        public List<String> undo() {
            if (previous.isEmpty()) {
                return where.wrap(List.of("ip", family.ipFlag(), "route", "del", "default"));
            }
            DefaultRoute old = previous.get();
            List<String> argv = new ArrayList<>(List.of("ip", family.ipFlag(), "route", "replace", "default"));
            old.via().ifPresent(via -> {
                argv.add("via");
                argv.add(via);
            });
            argv.add("dev");
            argv.add(old.device());
            return where.wrap(argv);
        }

        public String action() {
            return "set the default route via " + gateway + " dev \"" + device + "\"";
        }

        @Override
        public Optional<String> routeAdded() {
            return Optional.of("default via " + gateway + " dev " + device);
        }
    }

    /**
     * {@code setsid -f nsenter --net=<ns> arping -c 2 -A -I <name> <address>}: unsolicited ARP
     * replies so that neighbours learn the new address at once. The original sends one and waits a
     * second; a link just set up may not have carrier for a few milliseconds more and drop it, so a
     * second follows a second later. {@code setsid -f} returns at once and leaves arping to itself:
     * nothing waits for it, neither this run nor the JVM, which on exit would otherwise give a thread
     * blocked on a child up to 300 ms. Its outcome changes nothing, as with the original's
     * {@code || true}.
     */
    public record Announce(Where where, String device, String address) implements Step {
        public List<String> argv() {
            List<String> argv = new ArrayList<>(List.of("setsid", "-f"));
            argv.addAll(where.wrap(List.of("arping", "-c", "2", "-A", "-I", device, address)));
            return List.copyOf(argv);
        }

        public List<String> undo() {
            return List.of();
        }

        public String action() {
            return "announce " + address + " on \"" + device + "\"";
        }

        /** arping keeps no pipe of this process: waiting for setsid ends as soon as it has forked. */
        @Override
        public CommandResult perform(StepEffects effects) {
            effects.runner().runDiscardingOutput(argv());
            return new CommandResult(0, "", "");
        }
    }

    /** {@code mkdir -p <path>}; with {@code removeOnUndo}, a directory this run alone uses, removed with its content. */
    public record MakeDirectory(String path, boolean removeOnUndo) implements Step {
        public MakeDirectory(String path) {
            this(path, false);
        }

        public List<String> argv() {
            return List.of("mkdir", "-p", path);
        }

        public List<String> undo() {
            return removeOnUndo ? List.of("rm", "-rf", path) : List.of();
        }

        public String action() {
            return "create directory " + path;
        }
    }

    /** {@code touch <path>}: an empty file, removed on undo. */
    public record CreateFile(String path) implements Step {
        public List<String> argv() {
            return List.of("touch", path);
        }

        public List<String> undo() {
            return List.of("rm", "-f", path);
        }

        public String action() {
            return "create " + path;
        }
    }

    /** {@code mount --bind <source> <target>}, unmounted on undo. */
    public record BindMount(String source, String target) implements Step {
        public List<String> argv() {
            return List.of("mount", "--bind", source, target);
        }

        public List<String> undo() {
            return List.of("umount", target);
        }

        public String action() {
            return "bind " + source + " to " + target;
        }
    }

    /** {@code umount <target>}. */
    public record Unmount(String target) implements Step {
        public List<String> argv() {
            return List.of("umount", target);
        }

        public List<String> undo() {
            return List.of();
        }

        public String action() {
            return "unmount " + target;
        }
    }

    /**
     * The host's DHCP client run in the guest's namespace ({@code udhcpc}, {@code dhclient} or
     * {@code dhcpcd}), with the original's arguments; it returns once it has a lease. It runs under
     * {@code ip netns exec <name>}, as in the original, but with {@code /etc/netns/<name>/resolv.conf}
     * in place: the client's script then writes the DNS servers there, not into the host's
     * {@code /etc/resolv.conf}.
     */
    public record HostDhcpClient(String netnsName, String client, List<String> arguments, String device)
            implements Step {
        /**
         * How long the client may take to get its lease (dhclient tries for 60 s, then goes to the
         * background; udhcpc without {@code -n} tries until stopped): longer than other commands.
         */
        public static final Duration LEASE_BOUND = Duration.ofMinutes(5);

        public List<String> argv() {
            List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netnsName, client));
            argv.addAll(arguments);
            return List.copyOf(argv);
        }

        public List<String> undo() {
            return List.of();
        }

        public String action() {
            return "get a lease with " + client + " on \"" + device + "\"";
        }

        @Override
        public CommandResult perform(StepEffects effects) {
            return effects.runner().run(argv(), null, LEASE_BOUND);
        }
    }

    /** {@code pkill -F <pidfile>}: stops a DHCP client that went to the background once it had its lease. */
    public record StopByPidFile(String pidFile, String what) implements Step {
        public List<String> argv() {
            return List.of("pkill", "-F", pidFile);
        }

        public List<String> undo() {
            return List.of();
        }

        public String action() {
            return "stop " + what;
        }

        /** pkill exits 1 when no process matched: the client has already gone, which is what was wanted. */
        @Override
        public CommandResult perform(StepEffects effects) {
            CommandResult result = effects.runner().run(argv());
            return result.exitStatus() == 1 ? new CommandResult(0, result.stdout(), "") : result;
        }
    }

    /** {@code rmdir <path>}. */
    public record RemoveDirectory(String path) implements Step {
        public List<String> argv() {
            return List.of("rmdir", path);
        }

        public List<String> undo() {
            return List.of();
        }

        public String action() {
            return "remove " + path;
        }
    }

    /** {@code rm -f <path>}. */
    public record RemoveFile(String path) implements Step {
        public List<String> argv() {
            return List.of("rm", "-f", path);
        }

        public List<String> undo() {
            return List.of();
        }

        public String action() {
            return "remove " + path;
        }
    }

    /**
     * {@code dhcp}: busybox's {@code udhcpc} in a helper container that shares the guest's network
     * ({@code docker run -d --net container:<guest> --cap-add NET_ADMIN busybox udhcpc ...}), started
     * through the Engine API. Without {@code -f} the client goes to the background once it has a
     * lease, which ends the helper, and the engine removes it; with {@code -f} it stays to renew the
     * lease, labelled so that {@code del} finds it.
     */
    public record HelperDhcpClient(String containerId, String hostname, String device, List<String> options)
            implements Step {
        public static final String LABEL_GUEST = "dev.pipework.dhcp-for";
        public static final String LABEL_INTERFACE = "dev.pipework.interface";
        static final long LEASE_WAIT_SECONDS = 30;

        public boolean foreground() {
            return options.contains("-f");
        }

        List<String> command() {
            List<String> cmd = new ArrayList<>(List.of("udhcpc", "-i", device, "-x", "hostname:" + hostname));
            cmd.addAll(options);
            return cmd;
        }

        public List<String> argv() {
            List<String> argv = new ArrayList<>(List.of("docker", "run", "-d"));
            if (!foreground()) {
                argv.add("--rm");
            }
            argv.addAll(List.of("--label", LABEL_GUEST + "=" + containerId, "--label", LABEL_INTERFACE + "=" + device,
                    "--net", "container:" + containerId, "--cap-add", "NET_ADMIN", "busybox"));
            argv.addAll(command());
            return List.copyOf(argv);
        }

        public List<String> undo() {
            return List.of("docker", "rm", "-f", "<helper>");
        }

        public String action() {
            return "start the DHCP client container (busybox udhcpc) for \"" + device + "\"";
        }

        @Override
        public CommandResult perform(StepEffects effects) {
            Map<String, Object> hostConfig = new LinkedHashMap<>();
            hostConfig.put("NetworkMode", "container:" + containerId);
            hostConfig.put("CapAdd", List.of("NET_ADMIN"));
            hostConfig.put("AutoRemove", !foreground());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("Image", "busybox");
            body.put("Cmd", command());
            body.put("Labels", Map.of(LABEL_GUEST, containerId, LABEL_INTERFACE, device));
            body.put("HostConfig", hostConfig);
            try {
                String id = effects.docker().createAndStart(body);
                if (!foreground()) {
                    awaitLease(effects, id);
                }
                return new CommandResult(0, id, "");
            } catch (DockerException e) {
                return new CommandResult(1, "", e.getMessage());
            }
        }

        /**
         * udhcpc goes to the background once its lease is applied, which ends the helper: waiting
         * for that (a bounded while) means the address is there when the command returns, as with
         * the host's clients.
         */
        private static void awaitLease(StepEffects effects, String id) throws DockerException {
            long deadline = System.nanoTime() + LEASE_WAIT_SECONDS * 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                Optional<DockerContainer> helper = effects.docker().inspect(id);
                if (helper.isEmpty() || !helper.get().running()) {
                    return;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        @Override
        public CommandResult revert(StepEffects effects) {
            try {
                for (String id : effects.docker().idsWithLabel(LABEL_GUEST, containerId)) {
                    effects.docker().remove(id, true);
                }
                return new CommandResult(0, "", "");
            } catch (DockerException e) {
                return new CommandResult(1, "", e.getMessage());
            }
        }
    }

    /** {@code docker rm -f <id>}, through the Engine API: a DHCP helper container that stayed. */
    public record RemoveContainer(String id) implements Step {
        public List<String> argv() {
            return List.of("docker", "rm", "-f", id);
        }

        public List<String> undo() {
            return List.of();
        }

        public String action() {
            return "remove container " + id;
        }

        @Override
        public CommandResult perform(StepEffects effects) {
            try {
                effects.docker().remove(id, true);
                return new CommandResult(0, "", "");
            } catch (DockerException e) {
                return new CommandResult(1, "", e.getMessage());
            }
        }
    }
}

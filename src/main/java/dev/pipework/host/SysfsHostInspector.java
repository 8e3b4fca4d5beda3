package dev.pipework.host;

import dev.pipework.guest.RouteNetlink;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.plan.HostLink;
import dev.pipework.plan.LinkFacts;
import dev.pipework.plan.OvsPort;
import dev.pipework.model.InterfaceName;
import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers from {@code /sys/class/net}, {@code /sys/module} and, for Open vSwitch, its database's
 * socket ({@link OvsdbSocket}) or {@code ovs-vsctl}.
 */
public final class SysfsHostInspector implements HostInspector {
    private static final int IFF_UP = 0x1;

    private final Path sysClassNet;
    private final Path sysModule;
    private final Path procNetVlan = Path.of("/proc/net/vlan");
    private final CommandRunner runner;
    private Boolean ovsInstalled;

    public SysfsHostInspector(CommandRunner runner) {
        this(Path.of("/sys/class/net"), Path.of("/sys/module"), runner);
    }

    public SysfsHostInspector(Path sysClassNet, Path sysModule, CommandRunner runner) {
        this.sysClassNet = sysClassNet;
        this.sysModule = sysModule;
        this.runner = runner;
    }

    @Override
    public Optional<LinkFacts> link(String name) {
        // A name this tool refuses is no link of its: it may not even be a path in this JVM's encoding.
        if (!InterfaceName.valid(name)) {
            return Optional.empty();
        }
        Path dir = sysClassNet.resolve(name);
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try {
            int type = number(read(dir.resolve("type")));
            int mtu = number(read(dir.resolve("mtu")));
            int flags = Integer.decode(read(dir.resolve("flags")));
            String mac = Files.exists(dir.resolve("address")) ? read(dir.resolve("address")) : "";
            return Optional.of(new LinkFacts(name, type, mtu, (flags & IFF_UP) != 0,
                    Files.isDirectory(dir.resolve("bridge")), mac, vlanId(name), wirelessPhy(dir),
                    Files.exists(dir.resolve("ifalias")) ? read(dir.resolve("ifalias")) : ""));
        } catch (IOException | NumberFormatException e) {
            // The link went away while it was read.
            return Optional.empty();
        }
    }

    /** {@code /proc/net/vlan/<name>} exists for VLAN devices; its first line ends with {@code VID: <id>}. */
    private Optional<Integer> vlanId(String name) {
        Path file = procNetVlan.resolve(name);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("VID: *([0-9]+)").matcher(Files.readString(file));
            return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> wirelessPhy(Path dir) {
        Path name = dir.resolve("phy80211").resolve("name");
        try {
            return Files.isRegularFile(name) ? Optional.of(read(name)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> linkWithMac(String mac) {
        try (DirectoryStream<Path> links = Files.newDirectoryStream(sysClassNet)) {
            for (Path link : links) {
                // A name that is not printable ASCII is not carried faithfully (see InterfaceName): skipped.
                if (!InterfaceName.valid(link.getFileName().toString())) {
                    continue;
                }
                Path address = link.resolve("address");
                if (Files.isRegularFile(address) && read(address).equalsIgnoreCase(mac)) {
                    return Optional.of(link.getFileName().toString());
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    @Override
    public boolean ovsInstalled() {
        if (ovsInstalled == null) {
            ovsInstalled = commandInstalled("ovs-vsctl");
        }
        return ovsInstalled;
    }

    @Override
    public boolean isOvsBridge(String name) {
        // A Linux bridge (its sysfs "bridge" directory) is never a switch's: no need to ask the
        // switch's database, which may not be running where Open vSwitch is installed but unused.
        if (!ovsInstalled() || Files.isDirectory(sysClassNet.resolve(name).resolve("bridge"))) {
            return false;
        }
        // Asked on the database's socket; where that cannot be, br-exists (0: it exists, 2: it does not).
        Optional<OvsDatabase.BridgeAnswer> asked = OvsDatabase.bridgeExists(OvsdbSocket.socket(), name);
        if (asked.isEmpty()) {
            CommandResult result = runner.run(List.of("ovs-vsctl", "--timeout=10", "br-exists", name));
            asked = Optional.of(new OvsDatabase.BridgeAnswer(result.exitStatus() == 0, result.ovsDatabaseDown()));
        }
        Optional<String> down = asked.get().down();
        if (down.isPresent() && !Files.exists(sysClassNet.resolve(name).resolve("device"))) {
            // Unknown, and it matters: a bridge taken for a NIC would get a macvlan, a bridge with no
            // link would be created again. A NIC with a device behind it is never a switch's bridge.
            throw new PipeworkException(down.get());
        }
        return asked.get().exists();
    }

    @Override
    public boolean ovsKernelDatapath() {
        return Files.isDirectory(sysModule.resolve("openvswitch"));
    }

    @Override
    public boolean commandInstalled(String command) {
        return ExecutablePath.find(command).isPresent();
    }

    @Override
    public Map<Integer, HostLink> links() {
        return HostLinks.byIndex(sysClassNet);
    }

    /**
     * Over rtnetlink where the JVM has it ({@link RouteNetlink}), only when this inspector reads the
     * process's own {@code /sys/class/net}; else, or when that reading fails, from sysfs.
     */
    @Override
    public Map<Integer, HostLink> linksOfMany() {
        if (RouteNetlink.available() && sysClassNet.equals(Path.of("/sys/class/net"))) {
            try {
                Map<Integer, HostLink> links = new HashMap<>();
                for (HostLink link : RouteNetlink.hostLinks()) {
                    if (InterfaceName.valid(link.name())) {
                        // A master whose name is left out is no Linux bridge here either, as HostLinks reads it.
                        Optional<String> master = link.master().filter(InterfaceName::valid);
                        links.put(link.index(), new HostLink(link.name(), link.index(), link.peerIndex(), master,
                                master.isPresent() && link.masterLinuxBridge(), link.alias()));
                    }
                }
                return links;
            } catch (IOException | RuntimeException e) {
                // read from sysfs below
            }
        }
        return links();
    }

    @Override
    public java.util.Set<String> linkNames() {
        return HostLinks.names(sysClassNet);
    }

    @Override
    public boolean linkExists(String name) {
        return HostLinks.exists(sysClassNet, name);
    }

    @Override
    public Map<Integer, String> linkNamesByIndex() {
        return HostLinks.namesByIndex(sysClassNet);
    }

    @Override
    public Optional<HostLink> hostLink(String name) {
        return HostLinks.one(sysClassNet, name);
    }

    @Override
    public Map<String, OvsPort> ovsPorts() {
        return OvsDatabase.ports(runner);
    }

    @Override
    public OvsPorts ovsPortsRead() {
        return OvsDatabase.read(runner);
    }

    @Override
    public Optional<OvsPorts> ovsPortsNamed(java.util.Collection<String> names) {
        return OvsDatabase.named(OvsdbSocket.socket(), names);
    }

    @Override
    public Optional<OvsPorts> ovsPortsRecording(String key, String value, Map<String, OvsPort> known) {
        return OvsDatabase.recording(OvsdbSocket.socket(), key, value, known);
    }

    @Override
    public List<String> vxlanFloods(String device) {
        if (!Files.exists(sysClassNet.resolve(device))) {
            return List.of();
        }
        CommandResult result = runner.run(List.of("bridge", "fdb", "show", "dev", device));
        if (!result.succeeded()) {
            throw new dev.pipework.model.PipeworkException("bridge fdb show dev " + device + " failed: "
                    + result.stderr().strip());
        }
        return floods(result.stdout());
    }

    /** {@code 00:00:00:00:00:00 dst <address> self permanent} lines: their addresses. */
    static List<String> floods(String fdb) {
        List<String> peers = new java.util.ArrayList<>();
        for (String line : fdb.split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w.length >= 3 && w[0].equals("00:00:00:00:00:00") && w[1].equals("dst") && !peers.contains(w[2])) {
                peers.add(w[2]);
            }
        }
        return peers;
    }

    @Override
    public boolean fileExists(String path) {
        return Files.exists(Path.of(path));
    }

    /** A decimal number as sysfs writes it: ASCII digits only (Integer.parseInt also takes a sign and other scripts' digits). */
    static int number(String text) {
        if (!text.matches("[0-9]{1,9}")) {
            throw new NumberFormatException("not a decimal number: " + text);
        }
        return Integer.parseInt(text);
    }

    @Override
    public Optional<Long> processOf(String pidFile, String program, long netnsInode) {
        return new ProcFiles(Path.of("/proc")).processOf(pidFile, program, netnsInode);
    }

    @Override
    public Optional<String> readFile(String path) {
        return ProcFiles.small(Path.of(path));
    }

    @Override
    public java.util.List<String> listFiles(String path) {
        try (java.util.stream.Stream<Path> files = Files.list(Path.of(path))) {
            return files.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .map(f -> f.getFileName().toString()).sorted().toList();
        } catch (IOException | RuntimeException e) {
            return java.util.List.of();
        }
    }

    @Override
    public Optional<String> readFile(String path, int max) {
        return ProcFiles.small(Path.of(path), max);
    }

    @Override
    public java.util.OptionalLong netnsInodeOf(String path) {
        try {
            return java.util.OptionalLong.of(((Number) Files.getAttribute(Path.of(path), "unix:ino"))
                    .longValue());
        } catch (IOException | RuntimeException e) {
            return java.util.OptionalLong.empty();
        }
    }

    @Override
    public Optional<java.time.Instant> lastModified(String path) {
        try {
            Path p = Path.of(path);
            return Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    ? Optional.of(Files.getLastModifiedTime(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant())
                    : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file).trim();
    }
}

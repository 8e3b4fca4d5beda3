package dev.pipework.it.support;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Remembers host-side links, Linux bridges and Open vSwitch bridges a test
 * creates (or makes the tool create) and deletes them on close, newest first.
 * Things that are already gone are not an error.
 *
 * <p>Linux interface names are at most 15 bytes, so tests build names from a
 * short {@link #uniqueSuffix()}: {@code "br" + suffix}, {@code "ovs" + suffix}.
 */
public final class HostCleanup implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private enum Kind { LINK, OVS_BRIDGE, NETNS }

    private record Entry(Kind kind, String name) {
    }

    private final Deque<Entry> entries = new ArrayDeque<>();

    /**
     * Five random lowercase letters and digits, starting with a letter. With a
     * prefix of up to 10 characters the result is still a valid interface name.
     */
    public static String uniqueSuffix() {
        StringBuilder sb = new StringBuilder(5);
        sb.append(ALPHABET.charAt(RANDOM.nextInt(26)));
        for (int i = 1; i < 5; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** A link (veth, bridge, macvlan, ...) on the host to delete with {@code ip link del}. */
    public synchronized String link(String name) {
        entries.push(new Entry(Kind.LINK, name));
        return name;
    }

    /** Same as {@link #link(String)}; reads better for Linux bridges. */
    public String bridge(String name) {
        return link(name);
    }

    /** An Open vSwitch bridge to delete with {@code ovs-vsctl --if-exists del-br}. */
    public synchronized String ovsBridge(String name) {
        entries.push(new Entry(Kind.OVS_BRIDGE, name));
        return name;
    }

    /** A named network namespace to delete with {@code ip netns del}. */
    public synchronized String netns(String name) {
        entries.push(new Entry(Kind.NETNS, name));
        return name;
    }

    /** Creates a Linux bridge, records it and brings it up. */
    public String createBridge(String name) {
        link(name);
        Sh.ok("ip", "link", "add", name, "type", "bridge");
        Sh.ok("ip", "link", "set", name, "up");
        return name;
    }

    /**
     * Creates an OVS bridge with the userspace datapath (this kernel may lack
     * the openvswitch module) and records it.
     */
    public String createOvsBridge(String name) {
        ovsBridge(name);
        Sh.ok(List.of("ovs-vsctl", "--timeout=20", "add-br", name, "--", "set", "bridge", name, "datapath_type=netdev"),
                Duration.ofSeconds(30));
        return name;
    }

    /** Creates a veth pair on the host and records both ends. */
    public void createVeth(String name, String peer) {
        link(name);
        link(peer);
        Sh.ok("ip", "link", "add", name, "type", "veth", "peer", "name", peer);
    }

    /** Deletes everything recorded, newest first; reports anything that refused to go. */
    @Override
    public synchronized void close() {
        List<String> failures = new ArrayList<>();
        while (!entries.isEmpty()) {
            Entry e = entries.pop();
            String failure = delete(e);
            if (failure != null) {
                failures.add(failure);
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("cleanup left things behind:\n" + String.join("\n", failures));
        }
    }

    private static String delete(Entry e) {
        return switch (e.kind()) {
            case OVS_BRIDGE -> {
                Sh.Result r = Sh.run(List.of("ovs-vsctl", "--timeout=20", "--if-exists", "del-br", e.name()),
                        Duration.ofSeconds(30));
                yield r.code() == 0 ? null : "ovs-vsctl del-br " + e.name() + ": " + r.err().strip();
            }
            case LINK -> {
                Sh.Result r = Sh.run("ip", "link", "del", e.name());
                yield r.code() == 0 || gone(r) ? null : "ip link del " + e.name() + ": " + r.err().strip();
            }
            case NETNS -> {
                Sh.Result r = Sh.run("ip", "netns", "del", e.name());
                yield r.code() == 0 || gone(r) ? null : "ip netns del " + e.name() + ": " + r.err().strip();
            }
        };
    }

    static boolean gone(Sh.Result r) {
        String err = r.err();
        return err.contains("Cannot find device") || err.contains("does not exist")
                || err.contains("No such file or directory") || err.contains("not found");
    }
}

package dev.pipework.it.support;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Remembers host-side links, Linux bridges and Open vSwitch bridges a test
 * creates (or makes the tool create) and deletes them on close, newest first.
 * Things that are already gone are not an error, nor are links that go a little later: the
 * kernel removes a dead namespace's veth, and the host end with it, in its own time, so a
 * deletion can fail with "No such device" on a link that is on its way out (see
 * {@link #deleteLink}).
 *
 * <p>Linux interface names are at most 15 bytes, so tests build names from a
 * short {@link #uniqueSuffix()}: {@code "br" + suffix}, {@code "ovs" + suffix}.
 */
public final class HostCleanup implements AutoCloseable {

    /**
     * How long a deleted link may stay visible: a namespace's veth pairs go when the kernel's
     * cleanup work for that namespace runs, usually within a second or two.
     */
    public static final Duration GONE_WITHIN = Duration.ofSeconds(10);

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
            case LINK -> deleteLink(e.name());
            case NETNS -> {
                Sh.Result r = Sh.run("ip", "netns", "del", e.name());
                yield r.code() == 0 || gone(r) ? null : "ip netns del " + e.name() + ": " + r.err().strip();
            }
        };
    }

    /**
     * Deletes the host link {@code name} (given after {@code dev}, so a name like {@code brd} is
     * not read as a keyword) and waits up to {@link #GONE_WITHIN} until the kernel no longer
     * shows it. Whatever {@code ip} answered, a link that is gone by then is deleted: it may
     * have been on its way out already ("No such device", "Cannot find device"). Returns null
     * when the link is gone, else what is wrong.
     */
    public static String deleteLink(String name) {
        if (!linkExists(name)) {
            return null;
        }
        Sh.Result r = Sh.run("ip", "link", "del", "dev", name);
        if (Poll.within(GONE_WITHIN, Poll.TICK, () -> !linkExists(name))) {
            return null;
        }
        return "ip link del dev " + name + ": " + (r.code() == 0 ? "still there" : r.err().strip())
                + " after " + GONE_WITHIN.toSeconds() + " s";
    }

    /** {@link #deleteLink} that fails the test when the link stays. */
    public static void deleteLinkOrFail(String name) {
        String failure = deleteLink(name);
        if (failure != null) {
            throw new AssertionError(failure);
        }
    }

    /** Whether a link of that name is in the host's namespace (the one the tests run in). */
    public static boolean linkExists(String name) {
        // The kernel refuses "." and ".." and any '/' in a name, so the name is one entry of the directory.
        return Files.exists(Path.of("/sys/class/net").resolve(name), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Fails unless every name in {@code names} is free on the host: a test that must use a fixed
     * name (a keyword of {@code ip}, say) checks first, rather than fail midway or remove a link
     * that another program made.
     */
    public static void requireFreeLinkNames(List<String> names) {
        List<String> taken = names.stream().filter(HostCleanup::linkExists).toList();
        if (!taken.isEmpty()) {
            throw new AssertionError("this test needs host link name(s) " + taken + " free, but a link of that name is"
                    + " already on the host (made by another program?); remove it with 'ip link del dev NAME'");
        }
    }

    static boolean gone(Sh.Result r) {
        String err = r.err();
        return err.contains("Cannot find device") || err.contains("does not exist")
                || err.contains("No such file or directory") || err.contains("not found");
    }
}

package dev.pipework.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Checks what an integration test needs from the machine.
 *
 * <p>On a machine that {@code scripts/test} prepared (it sets
 * {@code PIPEWORK_TEST_PREPARED=1}), and under CI ({@code CI=true}), a missing
 * prerequisite fails the test: {@code scripts/test-env} must have provided it.
 * Elsewhere ({@code scripts/test --no-install}, an IDE) it skips the test,
 * saying why. Missing kernel features always skip, since no script can add
 * them.
 */
public final class Prerequisites {

    /** The image {@code scripts/test-env} builds; every container test runs it. */
    public static final String TEST_IMAGE = "pipework-test/busybox:latest";

    private static final String HINT = " (scripts/test as root, without --no-install, prepares this machine)";
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();
    private static final String OK = "";

    private Prerequisites() {
    }

    /**
     * True when every prerequisite must be there: under CI ({@code CI=true}), or on a machine
     * {@code scripts/test} prepared ({@code PIPEWORK_TEST_PREPARED=1}).
     */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI")) || "1".equals(System.getenv("PIPEWORK_TEST_PREPARED"));
    }

    /** The effective uid must be 0: the tests create links, namespaces and bridges. */
    public static void requireRoot() {
        long euid = effectiveUid();
        if (euid != 0) {
            missing("integration tests need root (effective uid is " + (euid < 0 ? "unknown" : euid)
                    + "): they create network namespaces, links and bridges");
        }
    }

    /** dockerd answers {@code docker info} and the test image is present. */
    public static void requireDocker() {
        requireRoot();
        requireCommand("docker");
        String problem = CACHE.computeIfAbsent("docker", k -> {
            Sh.Result info = Sh.run(List.of("docker", "info", "--format", "{{.ServerVersion}}"), Duration.ofSeconds(20));
            if (info.code() != 0 || info.trimmed().isEmpty()) {
                return "docker daemon does not answer 'docker info': " + firstLine(info.err()) + HINT;
            }
            Sh.Result img = Sh.run(List.of("docker", "image", "inspect", "--format", "{{.Id}}", TEST_IMAGE), Duration.ofSeconds(20));
            if (img.code() != 0) {
                return "test image " + TEST_IMAGE + " is missing" + HINT;
            }
            return OK;
        });
        if (!problem.isEmpty()) {
            missing(problem);
        }
    }

    /** Open vSwitch answers: ovsdb-server ({@code ovs-vsctl show}) and ovs-vswitchd. */
    public static void requireOvs() {
        requireRoot();
        requireCommand("ovs-vsctl");
        String problem = CACHE.computeIfAbsent("ovs", k -> {
            Sh.Result r = Sh.run(List.of("ovs-vsctl", "--timeout=5", "show"), Duration.ofSeconds(15));
            if (r.code() != 0) {
                return "Open vSwitch does not answer 'ovs-vsctl show': " + firstLine(r.err()) + HINT;
            }
            // ovsdb-server alone answers the above; bridge changes then hang
            // waiting for ovs-vswitchd.
            Sh.Result d = Sh.run(List.of("ovs-appctl", "--timeout=5", "-t", "ovs-vswitchd", "version"),
                    Duration.ofSeconds(15));
            return d.code() == 0 ? OK
                    : "ovs-vswitchd does not answer 'ovs-appctl version': " + firstLine(d.err()) + HINT;
        });
        if (!problem.isEmpty()) {
            missing(problem);
        }
    }

    /** A Docker image is present locally (the tool's DHCP helper runs {@code busybox}). */
    public static void requireImage(String image) {
        Sh.Result r = Sh.run(List.of("docker", "image", "inspect", "--format", "{{.Id}}", image),
                Duration.ofSeconds(20));
        if (r.code() != 0) {
            missing("image " + image + " is missing" + HINT);
        }
    }

    /** Something else the test needs, {@code what} naming it: missing fails in CI, else skips. */
    public static void require(boolean present, String what) {
        if (!present) {
            missing(what + " is missing" + HINT);
        }
    }

    /** An executable {@code name} is on PATH. */
    public static void requireCommand(String name) {
        if (!Sh.onPath(name)) {
            missing("command '" + name + "' is not installed (not found on PATH)" + HINT);
        }
    }

    /**
     * Skips the test when a kernel feature is absent, in CI too. {@code reason}
     * says how its absence was seen, e.g. "ip link add type vlan fails".
     */
    public static void requireKernelFeature(String name, boolean present, String reason) {
        Assumptions.assumeTrue(present, () -> "kernel has no " + name + " support (" + reason + ")");
    }

    /**
     * Whether the kernel can create a link of {@code type} ({@code vlan},
     * {@code macvlan}, {@code ipvlan}, {@code dummy}, {@code bridge}, ...).
     * Types that need a lower device are probed on a scratch veth pair.
     * Needs root; the answer is cached per JVM.
     */
    public static boolean linkTypeSupported(String type) {
        return CACHE.computeIfAbsent("link:" + type, k -> probeLinkType(type) ? OK : "no").isEmpty();
    }

    /** Skips the test unless {@code ip link add ... type <type>} works here. */
    public static void requireLinkType(String type, String featureName) {
        requireRoot();
        requireKernelFeature(featureName, linkTypeSupported(type), "ip link add type " + type + " fails");
    }

    /** Effective uid of this JVM, or -1 if it cannot be read. */
    public static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    return Long.parseLong(f[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to id -u
        }
        Sh.Result r = Sh.run("id", "-u");
        try {
            return r.code() == 0 ? Long.parseLong(r.trimmed()) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean probeLinkType(String type) {
        if (effectiveUid() != 0) {
            return false;
        }
        String s = HostCleanup.uniqueSuffix();
        String probe = "pwp" + s;
        String lower = "pwl" + s;
        String peer = "pwq" + s;
        boolean needsLower = switch (type) {
            case "vlan", "macvlan", "macvtap", "ipvlan", "ipvtap" -> true;
            default -> false;
        };
        try {
            List<String> argv = new ArrayList<>(List.of("ip", "link", "add"));
            if (needsLower) {
                if (Sh.run("ip", "link", "add", lower, "type", "veth", "peer", "name", peer).code() != 0) {
                    return false;
                }
                argv.addAll(List.of("link", lower));
            }
            argv.addAll(List.of("name", probe, "type", type));
            if (type.equals("vlan")) {
                argv.addAll(List.of("id", "42"));
            }
            return Sh.run(argv, Duration.ofSeconds(15)).code() == 0;
        } finally {
            HostCleanup.deleteLink(probe);
            if (needsLower) {
                HostCleanup.deleteLink(lower);
            }
        }
    }

    /** A prerequisite is missing, {@code why} saying which: a failure under CI, else a skip. */
    public static void missing(String why) {
        if (inCi()) {
            Assertions.fail("missing prerequisite on a prepared machine (CI or scripts/test): " + why);
        }
        Assumptions.abort("skipped: " + why);
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}

package dev.pipework.it;

import dev.pipework.exec.ProcessCommandRunner;
import dev.pipework.guest.IpGuestInspector;
import dev.pipework.guest.NetlinkReading;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.it.support.TestNetns;
import dev.pipework.plan.GuestLink;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guest's links read over rtnetlink from the JVM (the jar's {@code META-INF/versions/22}, on a JVM
 * of 22 or later: how {@code status} of everything and {@code apply} read many guests) are the links
 * {@code ip} shows there: every kind of link a guest holds after pipework, and a namespace the host
 * has no id in.
 */
class RouteNetlinkIT {

    @Test
    void rtnetlinkReadsWhatIpShows() throws IOException {
        Prerequisites.requireRoot();
        Path java = newJava().orElse(null);
        Prerequisites.require(java != null, "a JDK of 22 or later under /usr/lib/jvm (the machine's Temurin 25)");
        String run = HostCleanup.uniqueSuffix();
        try (TestNetns netns = new TestNetns(); HostCleanup host = new HostCleanup()) {
            String guest = netns.create("nl");
            String other = netns.create("nlo");
            // A veth to the host, with two addresses of each family, an alias not in ASCII, an MTU of its own.
            String hostEnd = "nh" + run;
            host.link(hostEnd);
            Sh.ok("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "eth1", "netns", guest);
            Sh.ok("ip", "-n", guest, "link", "set", "eth1", "mtu", "1400", "alias", "pipework \u00e9t\u00e9", "up");
            for (String cidr : List.of("10.77.1.2/24", "10.77.2.2/32", "2001:db8:77::2/64", "fd00:77::1:0:0:2/80")) {
                Sh.ok("ip", "-n", guest, "addr", "add", cidr, "dev", "eth1");
            }
            // A macvlan made on a host link, then moved in: its lower link is in the host.
            String lower = "nl" + run;
            host.link(lower);
            Sh.ok("ip", "link", "add", lower, "type", "veth", "peer", "name", "nq" + run);
            host.link("nq" + run);
            Sh.ok("ip", "link", "add", "nm" + run, "link", lower, "type", "macvlan", "mode", "bridge");
            Sh.ok("ip", "link", "set", "nm" + run, "netns", guest, "name", "eth2");
            Sh.ok("ip", "-n", guest, "addr", "add", "192.0.2.9/28", "dev", "eth2");
            // A veth whose peer is in another namespace, one with both ends inside, a bridge, a tun (no MAC).
            Sh.ok("ip", "-n", guest, "link", "add", "eth3", "type", "veth", "peer", "name", "eth0", "netns", other);
            Sh.ok("ip", "-n", guest, "link", "add", "in0", "type", "veth", "peer", "name", "in1");
            Sh.ok("ip", "-n", guest, "link", "add", "br0", "type", "bridge");
            Sh.ok("ip", "-n", guest, "link", "set", "br0", "up");
            Sh.ok("ip", "-n", guest, "tuntap", "add", "dev", "tun0", "mode", "tun");
            Sh.ok("ip", "-n", other, "addr", "add", "10.78.0.1/16", "dev", "eth0");

            List<String> paths = List.of("/var/run/netns/" + guest, "/var/run/netns/" + other);
            List<String> expected = new ArrayList<>();
            IpGuestInspector ip = new IpGuestInspector(new ProcessCommandRunner());
            for (String path : paths) {
                expected.add("namespace " + path);
                ip.links(path, path).forEach(l -> expected.add(l.toString()));
            }
            List<String> argv = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("pipework.jar") + ":" + testClasses(), NetlinkReading.class.getName()));
            argv.addAll(paths);
            Sh.Result read = Sh.run(argv, Duration.ofSeconds(60));
            assertEquals(0, read.code(), read.err());
            List<String> lines = Sh.lines(read.out());
            assertEquals("available true", lines.get(0), read.out());
            assertEquals(String.join("\n", expected), String.join("\n", lines.subList(1, lines.size() - 3)));
            // The threads that read go back to the host's namespace, and read again as well.
            assertEquals(List.of("read again: the same", "threads in another namespace: []"),
                    lines.subList(lines.size() - 3, lines.size() - 1), read.out());
            // Four readings one after another: a thread that came back takes the next (the count is
            // the newest reading thread's; one for every reading where none is kept).
            Matcher started = Pattern.compile("readings 4, reading threads started ([0-9]+)").matcher(lines.get(lines.size() - 1));
            assertTrue(started.matches(), read.out());
            int threads = Integer.parseInt(started.group(1));
            assertTrue(threads >= 1 && threads < 4, read.out());
            // What this test makes is there to be compared.
            List<GuestLink> links = ip.links(paths.get(0), guest);
            assertTrue(links.stream().anyMatch(l -> l.name().equals("eth1") && l.peerInHost()
                    && l.addresses().size() == 4 && l.alias().equals("pipework \u00e9t\u00e9")), links.toString());
            assertTrue(links.stream().anyMatch(l -> l.name().equals("eth2") && l.type().equals("macvlan")
                    && l.peerIndex().isPresent()), links.toString());
            assertTrue(links.stream().anyMatch(l -> l.name().equals("eth3") && !l.peerInHost()
                    && l.peerIndex().isPresent()), links.toString());
            assertTrue(links.stream().anyMatch(l -> l.name().equals("tun0") && l.mac().isEmpty()), links.toString());

            // A namespace file that is gone is a failure the reader reports (ip then reads, and says why).
            argv.set(argv.size() - 2, "/var/run/netns/" + guest + "-gone");
            Sh.Result gone = Sh.run(argv.subList(0, argv.size() - 1), Duration.ofSeconds(60));
            assertTrue(gone.out().contains("failed cannot open /var/run/netns/" + guest + "-gone"), gone.out());
        }
    }

    /**
     * A namespace's links over rtnetlink are the host links sysfs shows there (how {@code status} of
     * many guests reads the host): a bridge with an alias and a port, a veth whose peer is in another
     * namespace, a macvlan on a link, a tun. {@code ip netns exec} gives the reading its own sysfs.
     */
    @Test
    void rtnetlinkReadsTheHostLinksSysfsShows() throws IOException {
        Prerequisites.requireRoot();
        Path java = newJava().orElse(null);
        Prerequisites.require(java != null, "a JDK of 22 or later under /usr/lib/jvm (the machine's Temurin 25)");
        try (TestNetns netns = new TestNetns()) {
            String here = netns.create("nlh");
            String other = netns.create("nlp");
            Sh.ok("ip", "-n", here, "link", "add", "br0", "type", "bridge");
            Sh.ok("ip", "-n", here, "link", "set", "br0", "alias", "pipework overlay vni=7 ", "up");
            Sh.ok("ip", "-n", here, "link", "add", "a0", "type", "veth", "peer", "name", "a1");
            Sh.ok("ip", "-n", here, "link", "set", "a0", "master", "br0", "alias", "pipework");
            Sh.ok("ip", "-n", here, "link", "add", "p0", "type", "veth", "peer", "name", "eth1", "netns", other);
            Sh.ok("ip", "-n", here, "link", "add", "m0", "link", "a1", "type", "macvlan", "mode", "bridge");
            Sh.ok("ip", "-n", here, "tuntap", "add", "dev", "t0", "mode", "tun");
            Sh.Result read = Sh.run(List.of("ip", "netns", "exec", here, java.toString(), "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("pipework.jar") + ":" + testClasses(), NetlinkReading.class.getName(),
                    "--host"), Duration.ofSeconds(60));
            assertEquals(0, read.code(), read.err());
            List<String> lines = Sh.lines(read.out());
            assertEquals("available true", lines.get(0), read.out());
            List<String> netlink = lines.stream().filter(l -> l.startsWith("netlink ")).map(l -> l.substring(8)).toList();
            List<String> sysfs = lines.stream().filter(l -> l.startsWith("sysfs ")).map(l -> l.substring(6)).toList();
            assertEquals(String.join("\n", sysfs), String.join("\n", netlink));
            // What this test makes is there to be compared.
            String all = String.join("\n", netlink);
            assertTrue(all.contains("name=a0,") && all.contains("master=Optional[br0], masterLinuxBridge=true, alias=pipework]"), all);
            assertTrue(all.contains("alias=pipework overlay vni=7]"), all);
            assertEquals(7, netlink.size(), all); // lo, br0, a0, a1, p0, m0, t0
        }
    }

    private static String testClasses() {
        try {
            return Path.of(NetlinkReading.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The newest JDK of 22 or later under /usr/lib/jvm, by its release file. */
    static Optional<Path> newJava() throws IOException {
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            return jdks.filter(d -> major(d) >= 22 && Files.isExecutable(d.resolve("bin/java")))
                    .max(Comparator.comparingInt(RouteNetlinkIT::major)).map(d -> d.resolve("bin/java"));
        }
    }

    private static int major(Path jdk) {
        try {
            for (String line : Files.readAllLines(jdk.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[^0-9]")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}

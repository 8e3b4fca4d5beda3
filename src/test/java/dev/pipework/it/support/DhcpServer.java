package dev.pipework.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * dnsmasq serving 10.161.0.{@value #POOL_FIRST}-{@value #POOL_LAST} from a namespace of its
 * own, on a Linux bridge ({@link #onBridge}) or on the far end of a {@link Lan}
 * ({@link #onLan}). Close stops dnsmasq and removes its files; the bridge and the namespace
 * go with the {@link Rig}.
 */
public final class DhcpServer implements AutoCloseable {

    /** The server's address. */
    public static final String ADDRESS = "10.161.0.1";
    public static final int POOL_FIRST = 100;
    public static final int POOL_LAST = 150;

    /** How long a lease may take to reach the lease file after the client has its address. */
    private static final Duration LEASE_PATIENCE = Duration.ofSeconds(5);

    private final String bridge;
    private final Path dir;
    private final Path leaseFile;
    private Process process;
    private String namespace;

    private DhcpServer(String bridge, Path dir) {
        this.bridge = bridge;
        this.dir = dir;
        this.leaseFile = dir.resolve("dnsmasq.leases");
    }

    /**
     * On a new Linux bridge {@code br<suffix>}: the server's veth {@code ds<suffix>}
     * ({@value #ADDRESS}/24) has its host end {@code dp<suffix>} on the bridge.
     */
    public static DhcpServer onBridge(Rig rig) throws IOException {
        String br = rig.host().createBridge("br" + rig.suffix());
        String hostEnd = "dp" + rig.suffix();
        String serverEnd = "ds" + rig.suffix();
        String ns = rig.netns().cable("dhcp", hostEnd, serverEnd, ADDRESS + "/24");
        Sh.ok("ip", "link", "set", hostEnd, "master", br);
        return launch(br, ns, serverEnd);
    }

    /**
     * As {@link #onBridge}, answering at once: no ping of an address before it is offered (dnsmasq
     * otherwise waits up to 3 s for an echo), for tests that take many leases one after the other.
     */
    public static DhcpServer quick(Rig rig) throws IOException {
        String br = rig.host().createBridge("br" + rig.suffix());
        String hostEnd = "dp" + rig.suffix();
        String serverEnd = "ds" + rig.suffix();
        String ns = rig.netns().cable("dhcp", hostEnd, serverEnd, ADDRESS + "/24");
        Sh.ok("ip", "link", "set", hostEnd, "master", br);
        return launch(br, ns, serverEnd, "1h", List.of("--no-ping"));
    }

    /** On the LAN end of a NIC, which gets {@value #ADDRESS}/24 besides its address. */
    public static DhcpServer onLan(Rig rig, Lan lan) throws IOException {
        rig.netns().addAddress(lan.ns(), lan.end(), ADDRESS + "/24");
        return launch(null, lan.ns(), lan.end());
    }

    /** The stateful DHCPv6 prefix of {@link #keeping}: {@value #V6_STATEFUL}100 to ...1ff. */
    public static final String V6_STATEFUL = "fd61::";
    /** The prefix {@link #keeping} advertises for SLAAC alone. */
    public static final String V6_SLAAC = "fd62::";

    /**
     * For the lease keeper's tests: on a new bridge, dnsmasq's shortest lease (2 minutes), every
     * DHCP exchange logged to {@link #log()}; with {@code ipv6}, also DHCPv6 from
     * {@value #V6_STATEFUL}/64 and router advertisements (every 5 s) of that prefix and of
     * {@value #V6_SLAAC}/64 for SLAAC.
     */
    public static DhcpServer keeping(Rig rig, boolean ipv6) throws IOException {
        String br = rig.host().createBridge("br" + rig.suffix());
        String hostEnd = "dp" + rig.suffix();
        String serverEnd = "ds" + rig.suffix();
        String ns = rig.netns().cable("dhcp", hostEnd, serverEnd, ADDRESS + "/24");
        Sh.ok("ip", "link", "set", hostEnd, "master", br);
        List<String> extra = new java.util.ArrayList<>(List.of("--log-dhcp"));
        if (ipv6) {
            rig.netns().addAddress(ns, serverEnd, V6_STATEFUL + "1/64");
            rig.netns().addAddress(ns, serverEnd, V6_SLAAC + "1/64");
            extra.addAll(List.of("--enable-ra", "--ra-param=" + serverEnd + ",5",
                    "--dhcp-range=" + V6_STATEFUL + "100," + V6_STATEFUL + "1ff,64,2m",
                    "--dhcp-range=" + V6_SLAAC + ",ra-only,64,2m"));
        }
        return launch(br, ns, serverEnd, "2m", extra);
    }

    private static DhcpServer launch(String bridge, String ns, String iface) throws IOException {
        return launch(bridge, ns, iface, "1h", List.of());
    }

    private static DhcpServer launch(String bridge, String ns, String iface, String leaseTime, List<String> extra)
            throws IOException {
        DhcpServer server = new DhcpServer(bridge, Files.createTempDirectory("pw-it-dnsmasq-"));
        try {
            Files.createFile(server.leaseFile);
            List<String> argv = new java.util.ArrayList<>(List.of("ip", "netns", "exec", ns, "dnsmasq",
                    "--keep-in-foreground", "--conf-file=/dev/null", "--port=0", "--interface=" + iface,
                    "--bind-interfaces", "--dhcp-range=10.161.0." + POOL_FIRST + ",10.161.0." + POOL_LAST + "," + leaseTime,
                    "--dhcp-authoritative", "--dhcp-option=6", "--no-resolv", "--no-hosts",
                    "--dhcp-leasefile=" + server.leaseFile, "--pid-file=" + server.dir.resolve("dnsmasq.pid"),
                    "--log-facility=" + server.dir.resolve("dhcp.log")));
            argv.addAll(extra);
            server.namespace = ns;
            server.process = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(server.dir.resolve("dnsmasq.log").toFile())
                    .start();
            boolean listening = Poll.within(Duration.ofSeconds(10), Poll.TICK, () -> !server.process.isAlive()
                    || Sh.run("ip", "netns", "exec", ns, "ss", "-H", "-u", "-l", "-n", "sport", "=", ":67")
                            .trimmed().length() > 0);
            if (!listening || !server.process.isAlive()) {
                throw new AssertionError("dnsmasq did not start: " + server.log());
            }
            return server;
        } catch (IOException | RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    /** The bridge the server is on; null on a LAN. */
    public String bridge() {
        return bridge;
    }

    /** The lease file as it is now. */
    public String leases() {
        try {
            return Files.readString(leaseFile);
        } catch (IOException e) {
            return "[cannot read " + leaseFile + ": " + e.getMessage() + "]";
        }
    }

    /** The lease line for {@code mac}, split: expiry, MAC, address, hostname, client id. */
    public Optional<List<String>> lease(String mac) {
        return leases().lines().map(l -> List.of(l.trim().split("\\s+")))
                .filter(f -> f.size() >= 4 && f.get(1).equalsIgnoreCase(mac)).findFirst();
    }

    /**
     * The lease for {@code mac} (as {@link #lease}) once the server has written it, which it may do
     * a moment after the client has its address; fails showing the leases when none comes in 5 s.
     */
    public List<String> awaitLease(String mac) {
        if (!Poll.within(LEASE_PATIENCE, Poll.TICK, () -> lease(mac).isPresent())) {
            throw new AssertionError("the server has no lease for " + mac + ":\n" + leases());
        }
        return lease(mac).orElseThrow();
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("dnsmasq.log")) + dhcpLog();
        } catch (IOException e) {
            return "";
        }
    }

    /** dnsmasq's DHCP log ({@code --log-facility}), one line per message sent or received. */
    public String dhcpLog() {
        try {
            return Files.readString(dir.resolve("dhcp.log"));
        } catch (IOException e) {
            return "";
        }
    }

    /** The lines of the DHCP log that name this message type ({@code DHCPACK}, {@code DHCPRELEASE}) and this text. */
    public List<String> logged(String message, String text) {
        return dhcpLog().lines().filter(l -> l.contains(message + "(") && l.contains(text)).toList();
    }

    /** The namespace the server runs in (the LAN side). */
    public String namespace() {
        return namespace;
    }

    @Override
    public void close() {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Trees.delete(dir);
    }
}

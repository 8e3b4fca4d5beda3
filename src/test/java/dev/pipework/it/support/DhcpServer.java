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

    /** On the LAN end of a NIC, which gets {@value #ADDRESS}/24 besides its address. */
    public static DhcpServer onLan(Rig rig, Lan lan) throws IOException {
        rig.netns().addAddress(lan.ns(), lan.end(), ADDRESS + "/24");
        return launch(null, lan.ns(), lan.end());
    }

    private static DhcpServer launch(String bridge, String ns, String iface) throws IOException {
        DhcpServer server = new DhcpServer(bridge, Files.createTempDirectory("pw-it-dnsmasq-"));
        try {
            Files.createFile(server.leaseFile);
            server.process = new ProcessBuilder("ip", "netns", "exec", ns, "dnsmasq", "--keep-in-foreground",
                    "--conf-file=/dev/null", "--port=0", "--interface=" + iface, "--bind-interfaces",
                    "--dhcp-range=10.161.0." + POOL_FIRST + ",10.161.0." + POOL_LAST + ",1h",
                    "--dhcp-authoritative", "--dhcp-option=6", "--no-resolv", "--no-hosts",
                    "--dhcp-leasefile=" + server.leaseFile, "--pid-file=" + server.dir.resolve("dnsmasq.pid"))
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
            return Files.readString(dir.resolve("dnsmasq.log"));
        } catch (IOException e) {
            return "";
        }
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

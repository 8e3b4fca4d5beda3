package dev.pipework.cni;

import dev.pipework.guest.CniRecords;
import dev.pipework.guest.Docker;
import dev.pipework.guest.GuestInspector;
import dev.pipework.guest.GuestResolver;
import dev.pipework.host.HostInspector;
import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;
import dev.pipework.model.Guest;
import dev.pipework.plan.GuestLink;
import dev.pipework.plan.HostLink;
import dev.pipework.plan.LinkFacts;
import dev.pipework.plan.OvsPort;
import dev.pipework.run.Services;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.sys.Invocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CNI DEL of a container whose namespace is gone (ctr run's DEL: no CNI_NETNS, the task ended):
 * the Open vSwitch port and the recorded host end are removed, then the IPAM plugin's DEL runs,
 * whether the link's removal raced the kernel's own (nothing left: success) or really failed
 * (the address released all the same, the verb failed, the record kept for the next DEL).
 */
class CniDelReleaseTest {
    private static final String BRIDGE = "ovsdeltest0";
    private static final String HOST_END = "veth0pl4242";

    @TempDir
    Path dir;

    /** What the fake machine has: its links (by name) and Open vSwitch ports. */
    final Map<String, Integer> links = new HashMap<>();
    final Map<String, OvsPort> ports = new HashMap<>();
    final List<List<String>> ran = new ArrayList<>();
    final List<String> ipamInput = new ArrayList<>();
    final List<Map<String, String>> ipamEnv = new ArrayList<>();
    /** What {@code ip link del} of the host end does: the kernel took it meanwhile, or it stays and fails. */
    boolean kernelTakesTheLink;

    Services services(Path ipamPlugin) {
        GuestResolver guests = new GuestResolver() {
            public Guest resolve(String token, boolean running) {
                throw new AssertionError("a CNI guest is resolved by the plugin");
            }

            public List<Guest> all() {
                return List.of();
            }

            public void verifyUnchanged(Guest g) {
            }
        };
        GuestInspector inside = new GuestInspector() {
            public Optional<DefaultRoute> defaultRoute(String netnsPath, Family family) {
                throw new AssertionError("the namespace is gone: nothing is read inside it");
            }

            public List<GuestLink> links(String netnsPath, String g) {
                throw new AssertionError("the namespace is gone: nothing is read inside it");
            }
        };
        HostInspector host = new HostInspector() {
            public Optional<LinkFacts> link(String name) {
                return links.containsKey(name) ? Optional.of(new LinkFacts(name, 1, 1500, true, false,
                        "02:00:00:00:00:01", Optional.empty(), Optional.empty(), "pipework")) : Optional.empty();
            }

            public Optional<String> linkWithMac(String mac) {
                return Optional.empty();
            }

            public boolean ovsInstalled() {
                return true;
            }

            public boolean isOvsBridge(String name) {
                return name.equals(BRIDGE);
            }

            public boolean ovsKernelDatapath() {
                return false;
            }

            public boolean commandInstalled(String command) {
                return true;
            }

            public Map<Integer, HostLink> links() {
                Map<Integer, HostLink> all = new HashMap<>();
                links.forEach((name, index) -> all.put(index, new HostLink(name, index, 0, Optional.empty(), false,
                        "pipework")));
                return all;
            }

            public Map<String, OvsPort> ovsPorts() {
                return Map.copyOf(ports);
            }

            public boolean fileExists(String path) {
                return false;
            }
        };
        CommandRunner runner = new CommandRunner() {
            public CommandResult run(List<String> argv) {
                return run(argv, "");
            }

            public CommandResult run(Invocation invocation) {
                if (invocation.argv().get(0).equals(ipamPlugin.toString())) {
                    ipamEnv.add(invocation.env());
                }
                return run(invocation.argv(), invocation.stdin().orElse(""));
            }

            public CommandResult run(List<String> argv, String stdin) {
                ran.add(argv);
                if (argv.get(0).equals(ipamPlugin.toString())) {
                    ipamInput.add(stdin);
                    return new CommandResult(0, "", "");
                }
                if (argv.contains("del-port")) {
                    ports.remove(argv.get(argv.size() - 1));
                    return new CommandResult(0, "", "");
                }
                if (argv.equals(List.of("ip", "link", "del", "dev", HOST_END))) {
                    if (kernelTakesTheLink) {
                        links.remove(HOST_END);
                        return new CommandResult(1, "", "Cannot find device \"" + HOST_END + "\"");
                    }
                    return new CommandResult(2, "", "RTNETLINK answers: Device or resource busy");
                }
                return new CommandResult(0, "", "");
            }
        };
        return new Services(runner, host, guests, inside, () -> 0, dir.resolve("locks"), Docker.unavailable());
    }

    private CniPlugin plugin(Path ipamPlugin) {
        return new CniPlugin(services(ipamPlugin), new CniRecords(dir.resolve("records")),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    /** The attachment ADD left: a port and its host end, recorded with a namespace that is now gone. */
    private CniRecords setUp(Map<String, Object> raw) throws Exception {
        links.put(HOST_END, 7);
        ports.put(HOST_END, new OvsPort(HOST_END, BRIDGE, Optional.empty(), Map.of("pipework.interface", "eth0",
                "pipework.bridge", BRIDGE, "pipework.containerid", "ns-c1", "pipework.nspid", "4242")));
        CniRecords records = new CniRecords(dir.resolve("records"));
        records.write(new CniRecords.Record("ns-c1", "eth0", "/proc/4242/ns/net-gone", "n", HOST_END, raw, Map.of(), 99));
        return records;
    }

    private Path ipamPlugin() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        return Files.createFile(bin.resolve("hl"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    private static final String CONFIG = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"pipework\","
            + "\"bridge\":\"" + BRIDGE + "\",\"ipam\":{\"type\":\"hl\",\"subnet\":\"10.235.0.0/24\"}}";

    private CniEnv env() {
        return CniEnv.from(Map.of("CNI_COMMAND", "DEL", "CNI_CONTAINERID", "ns-c1", "CNI_NETNS", "",
                "CNI_IFNAME", "eth0", "CNI_PATH", dir.resolve("bin").toString()));
    }

    @Test
    void aHostEndTheKernelTookMeanwhileIsRemovedAndTheAddressReleased() throws Exception {
        Path ipam = ipamPlugin();
        Map<String, Object> raw = NetConf.decode(CONFIG);
        CniRecords records = setUp(raw);
        kernelTakesTheLink = true;

        plugin(ipam).del(env(), raw, CONFIG);

        assertTrue(ran.stream().anyMatch(a -> a.contains("del-port")), "the port removed: " + ran);
        assertTrue(ran.contains(List.of("ip", "link", "del", "dev", HOST_END)), ran.toString());
        assertEquals(List.of(CONFIG), ipamInput, "the IPAM plugin's DEL ran: " + ran);
        // The variables this verb was given, whatever this process's own environment holds.
        assertEquals("DEL", ipamEnv.get(0).get("CNI_COMMAND"));
        assertEquals("ns-c1", ipamEnv.get(0).get("CNI_CONTAINERID"));
        assertEquals("eth0", ipamEnv.get(0).get("CNI_IFNAME"));
        assertEquals(dir.resolve("bin").toString(), ipamEnv.get(0).get("CNI_PATH"));
        assertEquals("n", ipamEnv.get(0).get(Ipam.DELEGATED));
        assertTrue(ports.isEmpty() && links.isEmpty());
        assertTrue(records.read("ns-c1", "eth0").isEmpty(), "the record is gone");
    }

    @Test
    void aLinkThatCannotBeRemovedStillHasItsAddressReleasedAndTheVerbFails() throws Exception {
        Path ipam = ipamPlugin();
        Map<String, Object> raw = NetConf.decode(CONFIG);
        CniRecords records = setUp(raw);
        kernelTakesTheLink = false;

        CniError e = assertThrows(CniError.class, () -> plugin(ipam).del(env(), raw, CONFIG));

        assertEquals(CniError.PLUMBING_FAILED, e.code());
        assertTrue(e.getMessage().contains("Device or resource busy"), e.getMessage());
        assertEquals(List.of(CONFIG), ipamInput, "the IPAM plugin's DEL ran: " + ran);
        int del = ran.indexOf(List.of("ip", "link", "del", "dev", HOST_END));
        int release = ran.indexOf(List.of(ipam.toString()));
        assertTrue(del >= 0 && del < release, "links first, then the address: " + ran);
        assertFalse(records.read("ns-c1", "eth0").isEmpty(), "the record stays for the next DEL");
    }

    @Test
    void garbageCollectionReleasesTheAddressOfALinkThatCannotBeRemovedAndKeepsTheRecord() throws Exception {
        Path ipam = ipamPlugin();
        String gc = CONFIG.replace("}}", "},\"cni.dev/valid-attachments\":[]}");
        Map<String, Object> raw = NetConf.decode(gc);
        CniRecords records = setUp(NetConf.decode(CONFIG));
        kernelTakesTheLink = false;
        CniEnv env = CniEnv.from(Map.of("CNI_COMMAND", "GC", "CNI_PATH", dir.resolve("bin").toString()));
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

        CniError e = assertThrows(CniError.class,
                () -> new CniMaintenance(services(ipam), records, err).gc(env, raw, plugin(ipam)));

        assertEquals(CniError.PLUMBING_FAILED, e.code());
        assertEquals(1, ipamInput.size(), "the IPAM plugin's DEL ran: " + ran);
        assertFalse(records.read("ns-c1", "eth0").isEmpty(), "the record stays for the next collection");
    }
}

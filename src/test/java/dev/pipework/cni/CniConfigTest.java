package dev.pipework.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.pipework.json.Json;
import dev.pipework.model.MacAddress;

/** Reading and checking configurations and environments, and writing results per version: no machine needed. */
class CniConfigTest {
    private static final Map<String, String> ADD = Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c1",
            "CNI_NETNS", "/run/netns/x", "CNI_IFNAME", "eth0", "CNI_PATH", "/usr/lib/cni:/opt/cni/bin");

    private static NetConf parse(String json, Map<String, String> env) {
        return NetConf.parse(NetConf.decode(json), CniEnv.from(env), false);
    }

    private static int code(Runnable r) {
        return assertThrows(CniError.class, r::run).code();
    }

    @Test
    void aFullConfiguration() {
        NetConf c = parse("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"pipework\",\"bridge\":\"ovs0\",\"vlan\":100,"
                + "\"mtu\":1400,\"mac\":\"02:00:00:00:00:01\",\"ipam\":{\"type\":\"host-local\"}}", ADD);
        assertEquals("ovs0", c.hostInterface());
        assertEquals(100, c.vlan().orElseThrow().id());
        assertEquals(Optional.of(1400), c.mtu());
        assertEquals(Optional.of("host-local"), c.ipamType());
        assertEquals(List.of("/usr/lib/cni", "/opt/cni/bin"), CniEnv.from(ADD).path());
    }

    @Test
    void anIpamOfTypePipeworkIsAPoolOrIsRefused() {
        NetConf c = parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"pipework\",\"bridge\":\"br1\","
                + "\"ipam\":{\"type\":\"pipework\",\"pool\":\"lan\",\"defaultRoute\":true}}", ADD);
        assertEquals(Optional.of(new dev.pipework.model.AddressSpec.FromPool("lan", true)), c.pool());
        assertEquals(Optional.empty(), c.ipamType());
        assertEquals(4, code(() -> parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"pipework\","
                + "\"bridge\":\"br1\",\"ipam\":{\"type\":\"pipework\",\"pool\":\"../x\"}}", ADD)));
        assertEquals(6, code(() -> parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"pipework\","
                + "\"bridge\":\"br1\",\"ipam\":{\"type\":\"pipework\",\"pool\":\"lan\",\"defaultRoute\":1}}", ADD)));
        NetConf plain = parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"pipework\",\"bridge\":\"br1\","
                + "\"ipam\":{\"type\":\"pipework\"}}", ADD);
        assertEquals(Optional.of("pipework"), plain.ipamType());
        assertEquals(Optional.empty(), plain.pool());
    }

    @Test
    void runtimeConfigMacWinsOverCniArgsOverTheConfiguration() {
        String json = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"pipework\",\"master\":\"eth2\","
                + "\"mac\":\"02:00:00:00:00:01\"";
        Map<String, String> env = new java.util.HashMap<>(ADD);
        env.put("CNI_ARGS", "IgnoreUnknown=1;MAC=02:00:00:00:00:02;K8S_POD_NAME=x");
        assertEquals(Optional.of(new MacAddress("02:00:00:00:00:01")), parse(json + "}", ADD).mac());
        assertEquals(Optional.of(new MacAddress("02:00:00:00:00:02")), parse(json + "}", env).mac());
        assertEquals(Optional.of(new MacAddress("02:00:00:00:00:03")),
                parse(json + ",\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:03\"}}", env).mac());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"cniVersion\":\"1.0.0\",\"bridge\":\"br0\",\"vlan\":0}|4",
            "{\"cniVersion\":\"1.0.0\",\"bridge\":\"br0\",\"vlan\":4095}|4",
            "{\"cniVersion\":\"1.0.0\",\"bridge\":\"br0\",\"vlan\":\"7\"}|6",
            "{\"cniVersion\":\"1.0.0\",\"bridge\":\"br0\",\"mac\":\"01:00:5e:00:00:01\"}|4",
            "{\"cniVersion\":\"1.0.0\",\"bridge\":\"br0\",\"mac\":\"zz\"}|4",
            "{\"cniVersion\":\"1.0.0\",\"bridge\":\"br0\",\"mtu\":67}|4",
            "{\"cniVersion\":\"1.0.0\"}|4",
            "{\"cniVersion\":\"1.0.0\",\"bridge\":\"br0\",\"master\":\"eth0\"}|4",
            "{\"cniVersion\":\"1.0.0\",\"bridge\":\"a/b\"}|4",
            "{\"cniVersion\":\"1.0.0\",\"bridge\":7}|6",
            "{\"cniVersion\":\"1.0.0\",\"bridge\":\"br0\",\"ipam\":{}}|4",
            "{\"cniVersion\":\"1.0.0\",\"bridge\":\"br0\",\"ipam\":{\"type\":\"../x\"}}|4",
            "{\"cniVersion\":\"1.0.0\",\"bridge\":\"br0\",\"ipam\":[]}|6",
            "{\"cniVersion\":\"1.0.0\",\"bridge\":\"br0\",\"runtimeConfig\":{\"ips\":[\"10.0.0.300/24\"]}}|4",
            "{\"cniVersion\":\"0.2.0\",\"bridge\":\"br0\"}|1",
            "{\"bridge\":\"br0\"}|1",
            "{\"cniVersion\":\"1.0.0\",\"bridge\":|6",
            "[]|6"})
    void badConfigurationsGiveTheSpecificationsCodes(String json, int expected) {
        assertEquals(expected, code(() -> parse(json, ADD)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"CNI_CONTAINERID|", "CNI_NETNS|", "CNI_IFNAME|", "CNI_IFNAME|a/b",
            "CNI_IFNAME|abcdefghijklmnop", "CNI_NETNS|relative",
            "CNI_CONTAINERID|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "CNI_CONTAINERID|-x", "CNI_ARGS|FOO=1", "CNI_ARGS|noequals"})
    void badEnvironmentsGiveCode7(String key, String value) {
        Map<String, String> env = new java.util.HashMap<>(ADD);
        env.put(key, value == null ? "" : value);
        assertEquals(CniError.INVALID_ENVIRONMENT, code(() -> CniEnv.from(env)));
    }

    @Test
    void delNeedsNoNamespaceAndNoBridge() {
        Map<String, String> env = new java.util.HashMap<>(ADD);
        env.put("CNI_COMMAND", "DEL");
        env.remove("CNI_NETNS");
        NetConf c = NetConf.parse(NetConf.decode("{\"cniVersion\":\"0.3.1\",\"name\":\"n\"}"), CniEnv.from(env), true);
        assertEquals("0.3.1", c.cniVersion());
    }

    private static final String IPAM_031 = "{\"cniVersion\":\"0.3.1\",\"ips\":[{\"version\":\"4\",\"address\":\"10.1.0.5/24\","
            + "\"gateway\":\"10.1.0.1\",\"interface\":0},{\"version\":\"6\",\"address\":\"fd00::5/64\"}],"
            + "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"10.9.0.0/16\",\"gw\":\"10.1.0.254\"}],"
            + "\"dns\":{\"nameservers\":[\"10.1.0.1\"]}}";

    @Test
    void resultsAreWrittenInTheVersionAskedFor() {
        CniResult ipam = CniResult.parse(Json.object(Json.parse(IPAM_031)));
        CniResult result = ipam.withInterfaces(List.of(
                new CniResult.Iface("veth1", "02:00:00:00:00:0a", Optional.of(1500), Optional.empty()),
                new CniResult.Iface("eth0", "02:00:00:00:00:0b", Optional.of(1500), Optional.of("/run/netns/x"))), 1);
        for (String v : NetConf.VERSIONS) {
            Map<String, Object> out = result.render(v);
            assertEquals(v, out.get("cniVersion"));
            assertEquals(1L, Json.at(out, "ips", "0", "interface"));
            assertEquals(1L, Json.at(out, "ips", "1", "interface"));
            assertEquals("/run/netns/x", Json.at(out, "interfaces", "1", "sandbox"));
            assertFalse(((Map<?, ?>) Json.at(out, "interfaces", "0")).containsKey("sandbox"));
            assertEquals(v.startsWith("0.") ? "6" : null, Json.at(out, "ips", "1", "version"), v);
            assertEquals(v.equals("1.1.0") ? 1500L : null, Json.at(out, "interfaces", "1", "mtu"), v);
            assertEquals("10.1.0.254", Json.at(out, "routes", "1", "gw"));
            assertEquals(List.of("10.1.0.1"), Json.at(out, "dns", "nameservers"));
            // and what is written reads back the same
            CniResult back = CniResult.parse(Json.object(Json.parse(Json.write(out))));
            assertEquals(result.ips(), back.ips(), v);
            assertEquals(result.routes(), back.routes(), v);
        }
    }

    @Test
    void routesWithoutANextHopGoThroughTheAddressesGateway() {
        CniResult ipam = CniResult.parse(Json.object(Json.parse(IPAM_031)));
        List<String> lines = CniPlugin.addressSteps(dev.pipework.sys.Where.guest("/proc/1/fd/3"), "eth0", ipam).stream()
                .map(s -> String.join(" ", s.argv())).toList();
        assertEquals(List.of(
                "nsenter --net=/proc/1/fd/3 ip -4 addr add 10.1.0.5/24 brd 10.1.0.255 dev eth0",
                "nsenter --net=/proc/1/fd/3 ip -6 addr add fd00::5/64 dev eth0",
                "nsenter --net=/proc/1/fd/3 ip -4 route add 0.0.0.0/0 via 10.1.0.1 dev eth0",
                "nsenter --net=/proc/1/fd/3 ip -4 route add 10.9.0.0/16 via 10.1.0.254 dev eth0"), lines);
    }

    @Test
    void versionListsEveryVersion() {
        Map<String, Object> v = CniMaintenance.version(NetConf.decode("{\"cniVersion\":\"0.4.0\"}"));
        assertEquals("0.4.0", v.get("cniVersion"));
        assertEquals(List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"), v.get("supportedVersions"));
        assertTrue(CniMain.wanted(Map.of("CNI_COMMAND", "VERSION")));
        assertFalse(CniMain.wanted(Map.of()));
    }

    /** A runner for what must run nothing. */
    private static final dev.pipework.sys.CommandRunner NOTHING_RUNS = new dev.pipework.sys.CommandRunner() {
        public dev.pipework.sys.CommandResult run(List<String> argv) {
            throw new AssertionError("ran " + argv);
        }

        public dev.pipework.sys.CommandResult run(List<String> argv, String stdin) {
            throw new AssertionError("ran " + argv);
        }
    };

    private static Map<String, Object> conf(String own, String ipam) {
        return NetConf.decode("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"" + own
                + "\",\"bridge\":\"br0\",\"ipam\":{\"type\":\"" + ipam + "\"}}");
    }

    /** An IPAM plugin that is this plugin would run itself again and again: refused before anything runs. */
    @Test
    void thePluginItselfIsNoIpamPlugin() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("pw-ipam-self");
        try {
            java.nio.file.Path own = java.nio.file.Files.writeString(dir.resolve("pw"), "#!/bin/sh\n");
            own.toFile().setExecutable(true);
            java.nio.file.Files.createSymbolicLink(dir.resolve("addresses"), own);
            java.nio.file.Path other = java.nio.file.Files.writeString(dir.resolve("host-local"), "#!/bin/sh\n");
            other.toFile().setExecutable(true);
            List<String> path = List.of(dir.toString());
            assertEquals(4, code(() -> Ipam.find("pipework", conf("pipework", "pipework"), path, NOTHING_RUNS)));
            assertEquals(4, code(() -> Ipam.find("pw", conf("pw", "pw"), path, NOTHING_RUNS)));
            assertEquals(4, code(() -> Ipam.find("pipework", conf("pw", "pipework"), List.of(), NOTHING_RUNS)));
            CniError sameFile = assertThrows(CniError.class,
                    () -> Ipam.find("addresses", conf("pw", "addresses"), path, NOTHING_RUNS));
            assertEquals(4, sameFile.code());
            assertTrue(sameFile.getMessage().contains("is this plugin itself"), sameFile.getMessage());
            assertTrue(Ipam.find("host-local", conf("pw", "host-local"), path, NOTHING_RUNS).isPresent());
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : files.toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
            java.nio.file.Files.delete(dir);
        }
    }

    /** ADD with {@code "ipam":{"type":"pipework"}}: the specification's invalid-configuration error, nothing run. */
    @Test
    void addRefusesItselfAsIpamUpFront() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        dev.pipework.run.Services services = new dev.pipework.run.Services(NOTHING_RUNS, null, null, null, () -> 0,
                java.nio.file.Path.of("/nonexistent"), null);
        CniMain main = new CniMain(services, null, new java.io.PrintStream(out, true), err);
        String json = Json.write(conf("pipework", "pipework"));
        int status = main.run(ADD, new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(1, status);
        assertEquals(4L, Json.object(Json.parse(out.toString())).get("code"), out.toString());

        out.reset();
        Map<String, String> delegated = new java.util.HashMap<>(ADD);
        delegated.put(Ipam.DELEGATED, "n");
        String plain = Json.write(conf("pipework", "host-local"));
        status = main.run(delegated, new java.io.ByteArrayInputStream(plain.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(1, status);
        assertEquals(4L, Json.object(Json.parse(out.toString())).get("code"), out.toString());
        assertTrue(out.toString().contains("run as the IPAM plugin of network"), out.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"0", "-1", "3601", "\"5\"", "1.5"})
    void aBadIpamBoundIsAnInvalidConfiguration(String value) {
        Map<String, Object> raw = NetConf.decode("{\"cniVersion\":\"1.0.0\",\"type\":\"pipework\",\"bridge\":\"br0\","
                + "\"ipamTimeout\":" + value + ",\"ipam\":{\"type\":\"host-local\"}}");
        assertEquals(4, code(() -> Ipam.find("host-local", raw, List.of(), NOTHING_RUNS)));
    }

    /** A configuration of more than 1 MiB is refused with code 4, before anything is parsed or stored. */
    @Test
    void aConfigurationOfMoreThanOneMebibyteIsRefused() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        CniMain main = new CniMain(null, null, new java.io.PrintStream(out),
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        String big = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"pipework\",\"x\":\""
                + "a".repeat(2 << 20) + "\"}";
        int status = main.run(ADD, new java.io.ByteArrayInputStream(big.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(1, status);
        assertTrue(out.toString().contains("\"code\": 4"), out.toString());
    }
}

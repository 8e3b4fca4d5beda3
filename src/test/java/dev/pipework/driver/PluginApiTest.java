package dev.pipework.driver;

import dev.pipework.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plugin API over its socket, as the engine speaks it: HTTP/1.1 with Content-Length, several
 * requests on one connection, JSON answers of the plugin media type; the calls that need no
 * machine (activation, capabilities, the IPAM driver, options refused before anything is read).
 */
class PluginApiTest {
    @TempDir
    Path dir;

    private PluginServer server;
    private Thread serving;
    private Path socket;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        socket = dir.resolve("plugins/pwtest.sock");
        PluginApi api = new PluginApi(null, new DriverState(dir.resolve("state")),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        server = PluginServer.bind(socket, api).requestTimeout(java.time.Duration.ofMillis(500));
        serving = new Thread(server::run);
        serving.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.stop();
        serving.join(5000);
        assertFalse(serving.isAlive());
        assertFalse(Files.exists(socket), "the socket file outlives the server");
    }

    /** One connection: each request written, each answer read by its Content-Length. */
    private final class Connection implements AutoCloseable {
        private final SocketChannel channel;
        private final InputStream in;
        private final OutputStream out;

        Connection() throws IOException {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            in = Channels.newInputStream(channel);
            out = Channels.newOutputStream(channel);
        }

        String raw(String request) throws IOException {
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed after: " + head);
                }
                head.append((char) b);
            }
            int length = Integer.parseInt(head.toString().replaceAll("(?s).*Content-Length: ([0-9]+).*", "$1"));
            return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }

        Map<String, Object> call(String method, Object body) throws IOException {
            String json = Json.write(body);
            String answer = raw("POST /" + method + " HTTP/1.1\r\nHost: plugin\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json);
            assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
            assertTrue(answer.contains("Content-Type: application/vnd.docker.plugins.v1.2+json\r\n"), answer);
            return Json.object(Json.parse(answer.substring(answer.indexOf("\r\n\r\n") + 4)));
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    @Test
    void activationAndCapabilitiesOnOneConnection() throws IOException {
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(socket)), "the socket is root's alone");
        try (Connection c = new Connection()) {
            assertEquals(Map.of("Implements", List.of("NetworkDriver", "IpamDriver")), c.call("Plugin.Activate", Map.of()));
            assertEquals(Map.of("Scope", "local", "ConnectivityScope", "local"),
                    c.call("NetworkDriver.GetCapabilities", Map.of()));
            assertEquals(Map.of(), c.call("NetworkDriver.DiscoverNew", Map.of("DiscoveryType", 1L)));
            assertEquals(Map.of(), c.call("NetworkDriver.ProgramExternalConnectivity", Map.of()));
            assertEquals(false, c.call("IpamDriver.GetCapabilities", Map.of()).get("RequiresMACAddress"));
        }
    }

    /** Half a request holds up no other connection, and its own is closed once the bound has passed. */
    @Test
    void aConnectionThatSendsHalfARequestIsClosedAndBlocksNoOther() throws Exception {
        try (Connection half = new Connection(); Connection other = new Connection()) {
            half.out.write("POST /Plugin.Activate HTTP/1.1\r\nContent-Length: 10\r\n\r\n{".getBytes(StandardCharsets.UTF_8));
            half.out.flush();
            Thread.sleep(100);
            assertEquals(List.of("NetworkDriver", "IpamDriver"), other.call("Plugin.Activate", Map.of()).get("Implements"));
            long start = System.nanoTime();
            assertEquals(-1, half.in.read(), "the half request's connection is still open");
            assertTrue(System.nanoTime() - start < 3_000_000_000L);
            assertEquals(List.of("NetworkDriver", "IpamDriver"), other.call("Plugin.Activate", Map.of()).get("Implements"));
        }
    }

    @Test
    void anUnknownCallOrABodyThatIsNoObjectIsAnError() throws IOException {
        try (Connection c = new Connection()) {
            assertTrue(String.valueOf(c.call("NetworkDriver.Teleport", Map.of()).get("Err")).contains("not a call"));
            String answer = c.raw("POST /Plugin.Activate HTTP/1.1\r\nContent-Length: 3\r\n\r\n[1]");
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
            assertTrue(answer.contains("\"Err\""), answer);
        }
    }

    @Test
    void badOptionsAreRefusedWithTheOneLineMessageAndNothingIsRecorded() throws IOException {
        String id = "ab".repeat(32);
        try (Connection c = new Connection()) {
            Map<String, Object> answer = c.call("NetworkDriver.CreateNetwork", Map.of("NetworkID", id, "Options",
                    Map.of("com.docker.network.generic", Map.of("bridge", "br0", "colour", "red"))));
            assertEquals("unknown option \"colour\": a pipework network takes bridge, parent, vlan, mtu, macvlan_mode,"
                    + " dhcp, dhcp_timeout", answer.get("Err"));
            answer = c.call("NetworkDriver.CreateNetwork", Map.of("NetworkID", id, "Options",
                    Map.of("com.docker.network.generic", Map.of("bridge", "br0", "vlan", "0100"))));
            assertTrue(String.valueOf(answer.get("Err")).startsWith("VLAN \"0100\" is not valid"), answer.toString());
            answer = c.call("NetworkDriver.CreateNetwork", Map.of("NetworkID", "../etc", "Options", Map.of()));
            assertTrue(String.valueOf(answer.get("Err")).contains("NetworkID"), answer.toString());
        }
        assertFalse(Files.exists(dir.resolve("state/networks")));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("pipework driver: NetworkDriver.CreateNetwork: unknown"
                + " option \"colour\""), log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void ipamGivesTheAskedOrLowestFreeAddressOnceAndRemembersAcrossARestart() throws Exception {
        String pool;
        try (Connection c = new Connection()) {
            assertTrue(String.valueOf(c.call("IpamDriver.RequestPool", Map.of("AddressSpace", "pipework-local"))
                    .get("Error")).contains("--subnet"));
            Map<String, Object> p = c.call("IpamDriver.RequestPool", Map.of("Pool", "10.5.0.7/24"));
            assertEquals("10.5.0.0/24", p.get("Pool"));
            pool = (String) p.get("PoolID");
            // The same subnet again (another VLAN): a pool of its own.
            Map<String, Object> again = c.call("IpamDriver.RequestPool", Map.of("Pool", "10.5.0.0/24"));
            assertFalse(pool.equals(again.get("PoolID")));
            assertEquals("10.5.0.1/24", c.call("IpamDriver.RequestAddress", Map.of("PoolID", pool, "Options",
                    Map.of("RequestAddressType", "com.docker.network.gateway"))).get("Address"));
            assertEquals("10.5.0.9/24", c.call("IpamDriver.RequestAddress",
                    Map.of("PoolID", pool, "Address", "10.5.0.9")).get("Address"));
            assertTrue(String.valueOf(c.call("IpamDriver.RequestAddress", Map.of("PoolID", pool, "Address",
                    "10.5.0.9")).get("Error")).contains("in use already"));
            assertTrue(String.valueOf(c.call("IpamDriver.RequestAddress", Map.of("PoolID", pool, "Address",
                    "10.6.0.9")).get("Error")).contains("is not in subnet 10.5.0.0/24"));
            assertEquals("10.5.0.2/24", c.call("IpamDriver.RequestAddress", Map.of("PoolID", pool)).get("Address"));
        }
        stop();
        start();
        try (Connection c = new Connection()) {
            assertEquals("10.5.0.3/24", c.call("IpamDriver.RequestAddress", Map.of("PoolID", pool)).get("Address"));
            assertEquals(Map.of(), c.call("IpamDriver.ReleaseAddress", Map.of("PoolID", pool, "Address", "10.5.0.2")));
            assertEquals("10.5.0.2/24", c.call("IpamDriver.RequestAddress", Map.of("PoolID", pool)).get("Address"));
            assertEquals(Map.of(), c.call("IpamDriver.ReleasePool", Map.of("PoolID", pool)));
            assertTrue(c.call("IpamDriver.RequestAddress", Map.of("PoolID", pool)).containsKey("Error"));
        }
    }

    @Test
    void aSlashThirtyOneHasNoFreeAddressAfterTwoAndIpv6Works() {
        assertEquals("fd00::1", IpamDriver.free(dev.pipework.model.IpCidr.parse("fd00::/64"), List.of()));
        assertEquals("10.0.0.2", IpamDriver.free(dev.pipework.model.IpCidr.parse("10.0.0.0/30"), List.of("10.0.0.1")));
        assertThrowsRefusal(() -> IpamDriver.free(dev.pipework.model.IpCidr.parse("10.0.0.0/30"),
                List.of("10.0.0.1", "10.0.0.2")));
    }

    private static void assertThrowsRefusal(Runnable r) {
        try {
            r.run();
        } catch (dev.pipework.model.PipeworkException e) {
            assertTrue(e.getMessage().contains("no free address"), e.getMessage());
            return;
        }
        throw new AssertionError("no refusal");
    }
}

package dev.pipework.cli;

import dev.pipework.json.Json;
import dev.pipework.run.Services;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code status} names the Open vSwitch ports an attach made whose interface is gone, with the command that removes each. */
class StatusStalePortsTest {
    static final String FACTS = """
            {"links": {}, "ovsBridges": ["ovsbr"], "guests": [],
             "hostLinkIndex": [{"name": "veth1pl200", "index": 7, "peerIndex": 8, "master": "ovs-system"}],
             "hostLinks": [],
             "ovsPorts": {
               "veth1pl100": {"bridge": "ovsbr", "externalIds": {"pipework.interface": "veth1pl100",
                   "pipework.containerid": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                   "pipework.containername": "/web", "pipework.nspid": "100"}},
               "veth1pl300": {"bridge": "ovsbr", "externalIds": {"pipework.interface": "veth1pl300",
                   "pipework.nspid": "300"}},
               "veth1pl200": {"bridge": "ovsbr", "externalIds": {"pipework.interface": "veth1pl200",
                   "pipework.containername": "/db", "pipework.nspid": "200"}},
               "uplink": {"bridge": "ovsbr"}
             }}
            """;

    @Test
    void statusListsStalePortsWithTheCommandThatRemovesThem() {
        Services services = FixtureServices.from(Json.object(Json.parse(FACTS)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Pipework(services, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run("status");
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        // veth1pl200's interface is there (not stale); "uplink" is not pipework's.
        assertEquals(List.of(
                "pipework: stale Open vSwitch port \"veth1pl100\" on bridge \"ovsbr\" of container \"web\": its interface"
                        + " is gone; remove it with: ovs-vsctl del-port ovsbr veth1pl100",
                "pipework: stale Open vSwitch port \"veth1pl300\" on bridge \"ovsbr\": its interface is gone; remove it"
                        + " with: ovs-vsctl del-port ovsbr veth1pl300"),
                err.toString(StandardCharsets.UTF_8).lines().toList());
        assertEquals(List.of("GUEST  ID  PID  INTERFACE  ADDRESSES  MAC  MTU  HOST-INTERFACE  BRIDGE  KIND  VLAN  RUNTIME"),
                out.toString(StandardCharsets.UTF_8).lines().toList(), "the table has no row for a stale port");
    }
}

package dev.pipework.it;

import dev.pipework.exec.ProcessCommandRunner;
import dev.pipework.host.HostInspector;
import dev.pipework.host.OvsDatabase;
import dev.pipework.host.OvsdbSocket;
import dev.pipework.it.support.HostCleanup;
import dev.pipework.it.support.Prerequisites;
import dev.pipework.it.support.Sh;
import dev.pipework.plan.OvsPort;
import dev.pipework.sys.CommandRunner;
import org.junit.jupiter.api.Test;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ports of one guest asked of the machine's Open vSwitch on its database's socket (how
 * {@code status <guest>} and {@code del} ask, whatever the number of ports) are the ports the whole
 * read by {@code ovs-vsctl} shows: by name, by the container's record, tagged or not, a foreign port
 * without records, a port that is not there, the bridge's own port; and a bridge asked so is one
 * where {@code ovs-vsctl br-exists} finds one (a VLAN's fake bridge too).
 */
class OvsDatabaseIT {
    @Test
    void portsAskedAloneAreThePortsTheWholeReadShows() {
        Prerequisites.requireRoot();
        Prerequisites.requireOvs();
        String run = HostCleanup.uniqueSuffix();
        CommandRunner runner = new ProcessCommandRunner();
        try (HostCleanup host = new HostCleanup()) {
            String bridge = host.createOvsBridge("pwdb" + run);
            String id = "c" + run + "0123456789";
            // Ports need no link for their records: the switch keeps a port whose interface is missing.
            String tagged = "veth1pl" + run;
            String untagged = "veth2pl" + run;
            String foreign = "fo" + run;
            String other = "veth1pq" + run;
            Sh.ok("ovs-vsctl", "--timeout=20", "--no-wait", "add-port", bridge, tagged, "tag=101", "--", "set", "Interface", tagged,
                    "external-ids:pipework.interface=" + tagged, "external-ids:pipework.containerid=" + id,
                    "external-ids:pipework.bridge=" + bridge);
            Sh.ok("ovs-vsctl", "--timeout=20", "--no-wait", "add-port", bridge, untagged, "--", "set", "Interface", untagged,
                    "external-ids:pipework.interface=" + untagged, "external-ids:pipework.containerid=" + id);
            Sh.ok("ovs-vsctl", "--timeout=20", "--no-wait", "add-port", bridge, foreign);
            Sh.ok("ovs-vsctl", "--timeout=20", "--no-wait", "add-port", bridge, other, "--", "set", "Interface", other,
                    "external-ids:pipework.interface=" + other, "external-ids:pipework.containerid=x" + id);
            Map<String, OvsPort> all = OvsDatabase.read(runner).ports();
            assertTrue(all.keySet().containsAll(List.of(tagged, untagged, foreign, other)), all.keySet().toString());
            assertEquals(Optional.of(101), all.get(tagged).tag());

            List<String> names = List.of(tagged, untagged, foreign, "gone" + run, bridge);
            // Answered on the socket (present), not by a fallback to the whole read.
            HostInspector.OvsPorts named = OvsDatabase.named(OvsdbSocket.socket(), names).orElseThrow();
            assertEquals(Optional.empty(), named.down());
            assertEquals(only(all, List.of(tagged, untagged, foreign)), named.ports());

            HostInspector.OvsPorts recorded = OvsDatabase.recording(OvsdbSocket.socket(),
                    OvsPort.CONTAINER_ID, id, Map.of()).orElseThrow();
            assertEquals(only(all, List.of(tagged, untagged)), recorded.ports());
            HostInspector.OvsPorts knowing = OvsDatabase.recording(OvsdbSocket.socket(),
                    OvsPort.CONTAINER_ID, id, Map.of(tagged, all.get(tagged))).orElseThrow();
            assertEquals(only(all, List.of(tagged, untagged)), knowing.ports());

            // Bridges as br-exists finds them: the bridge, a VLAN's fake bridge on it, a port, nothing.
            String fake = "pwdf" + run;
            host.ovsBridge(fake);
            Sh.ok("ovs-vsctl", "--timeout=20", "--no-wait", "add-br", fake, bridge, "5");
            // A port marked fake_bridge by hand, without a tag: no bridge for br-exists.
            String marked = "pwdm" + run;
            Sh.ok("ovs-vsctl", "--timeout=20", "--no-wait", "add-port", bridge, marked, "--", "set", "Port", marked, "fake_bridge=true");
            for (String name : List.of(bridge, fake, marked, tagged, "gone" + run)) {
                boolean brExists = Sh.run("ovs-vsctl", "--timeout=20", "br-exists", name).code() == 0;
                assertEquals(Optional.of(new OvsDatabase.BridgeAnswer(brExists, Optional.empty())),
                        OvsDatabase.bridgeExists(OvsdbSocket.socket(), name), name);
            }
            assertTrue(Sh.run("ovs-vsctl", "--timeout=20", "br-exists", fake).code() == 0, "the fake bridge");
        }
    }

    private static Map<String, OvsPort> only(Map<String, OvsPort> all, List<String> names) {
        Map<String, OvsPort> some = new LinkedHashMap<>();
        names.forEach(n -> some.put(n, all.get(n)));
        return some;
    }
}

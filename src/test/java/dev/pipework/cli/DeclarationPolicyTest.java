package dev.pipework.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pipework.model.AttachRequest;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.HostTarget;
import dev.pipework.plan.HostTarget.Kind;
import dev.pipework.watch.DeclarationPolicy;

import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** What a label may ask of the host, by default and as a policy file allows. */
class DeclarationPolicyTest {
    private static final Path FILE = Path.of("/etc/pipework/watch.conf");
    private final DeclarationReader reader = new DeclarationReader();

    private Optional<String> refused(DeclarationPolicy policy, String label, Kind kind, boolean exists) {
        AttachRequest r = reader.label(label, "c1");
        return policy.check(r, new HostTarget(kind, r.hostInterface(), exists, 1500, true))
                .map(x -> x.rule().word());
    }

    @Test
    void byDefaultOnlyExistingBridgesWithVlansAndAddresses() {
        DeclarationPolicy p = DeclarationPolicy.strict(FILE);
        assertEquals(Optional.empty(), refused(p, "br1 10.0.0.5/24", Kind.LINUX_BRIDGE, true));
        assertEquals(Optional.empty(), refused(p, "ovs0 -i eth2 10.0.0.5/24 @100", Kind.OVS_BRIDGE, true));
        assertEquals(Optional.of("create-bridge"), refused(p, "brnew 10.0.0.5/24", Kind.LINUX_BRIDGE, false));
        assertEquals(Optional.of("nic"), refused(p, "eth0 10.0.0.5/24", Kind.PHYSICAL, true));
        assertEquals(Optional.of("direct-phys"), refused(p, "--direct-phys eth0 10.0.0.5/24", Kind.PHYSICAL, true));
        assertEquals(Optional.of("local-name"), refused(p, "-l uplink br1 10.0.0.5/24", Kind.LINUX_BRIDGE, true));
        assertEquals(Optional.of("dhcp-options"), refused(p, "br1 udhcpc:-pFILE", Kind.LINUX_BRIDGE, true));
        assertEquals(Optional.of("route"), refused(p, "br1 10.0.0.5/24@10.0.0.1", Kind.LINUX_BRIDGE, true));
    }

    @Test
    void aPolicyFileOptsInPerNameOrPrefix() {
        DeclarationPolicy p = DeclarationPolicy.parse(FILE, """
                # lab bridges
                allow create-bridge brlab*
                allow route br1 brlab*
                allow nic eth2
                """);
        assertEquals(Optional.empty(), refused(p, "brlab7 10.0.0.5/24@10.0.0.1", Kind.LINUX_BRIDGE, false));
        assertEquals(Optional.empty(), refused(p, "br1 10.0.0.5/24@10.0.0.1", Kind.LINUX_BRIDGE, true));
        assertEquals(Optional.empty(), refused(p, "eth2 10.0.0.5/24", Kind.PHYSICAL, true));
        assertEquals(Optional.of("nic"), refused(p, "eth0 10.0.0.5/24", Kind.PHYSICAL, true));
        assertEquals(Optional.of("create-bridge"), refused(p, "br2 10.0.0.5/24", Kind.LINUX_BRIDGE, false));
    }

    @Test
    void aLineThatIsNoRuleIsRefusedWithItsPlace() {
        PipeworkException e = assertThrows(PipeworkException.class,
                () -> DeclarationPolicy.parse(FILE, "allow everything *\n"));
        assertEquals(true, e.getMessage().startsWith(FILE + ":1: "), e.getMessage());
    }
}

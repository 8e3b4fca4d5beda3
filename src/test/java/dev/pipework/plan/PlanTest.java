package dev.pipework.plan;

import dev.pipework.model.Family;
import dev.pipework.model.IpCidr;
import dev.pipework.sys.Where;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A plan given more steps in the guest (a CNI plugin's addresses): where they go. */
class PlanTest {
    private static final Where GUEST = Where.guest("/proc/42/ns/net");

    @Test
    void guestStepsGoBeforeTheWaitForTheSwitchElseAtTheEnd() {
        Step veth = new LinkSteps.AddVethPair("veth1pl42", "veth1pg42", 1500);
        Step port = new OvsSteps.AddOvsPort("ovs0", "veth1pl42", Optional.empty(), Map.of("pipework.nspid", "42"), false);
        Step up = new LinkSteps.SetLinkUp(GUEST, "eth1");
        Step await = new OvsSteps.AwaitOvsPort("ovs0", "veth1pl42");
        Step address = new AddressSteps.AddAddress(GUEST, Family.INET, IpCidr.parse("10.0.0.2/24"), "eth1");

        Plan onOvs = new Plan(List.of(veth, port, up, await), List.of("n"), List.of("w"));
        assertEquals(new Plan(List.of(veth, port, up, address, await), List.of("n"), List.of("w")),
                onOvs.withGuestSteps(List.of(address)));
        Plan onBridge = new Plan(List.of(veth, up), List.of(), List.of());
        assertEquals(List.of(veth, up, address), onBridge.withGuestSteps(List.of(address)).steps());
    }
}

package dev.pipework.plan;

import dev.pipework.model.AddressSpec;
import dev.pipework.model.Family;
import dev.pipework.model.IpAddress;
import dev.pipework.sys.Where;

import java.util.List;

/**
 * Fixed addresses: each added with its broadcast (by the planner), a gateway made the default route
 * of its family (after an on-link host route when it is outside its address's subnet), and each
 * IPv4 address announced with arping when installed.
 */
final class StaticAddress {
    private StaticAddress() {
    }

    static void plan(AttachContext c, List<AddressSpec.Static> addresses, Where in, List<String> warnings) {
        List<Step> steps = c.steps();
        String containerIf = c.containerIf();
        for (AddressSpec.Static address : addresses) {
            if (address.gateway().isEmpty()) {
                continue;
            }
            Family family = address.address().family();
            IpAddress gateway = address.gateway().get();
            if (!address.address().contains(gateway.bytes())) {
                // Like the original: a gateway outside the subnet gets an on-link host route first,
                // or the kernel refuses a default route through it.
                steps.add(new AddressSteps.AddRoute(in, family, gateway + "/" + family.bits(), containerIf));
            }
            steps.add(new AddressSteps.ReplaceDefaultRoute(in, family, gateway, containerIf,
                    c.view().guestDefaultRoute(c.guest().netnsPath(), family)));
        }
        boolean anyIpv4 = addresses.stream().anyMatch(a -> a.address().family() == Family.INET);
        if (!anyIpv4) {
            return;
        }
        if (!c.view().installed("arping")) {
            warnings.add("Warning: arping not found; interface may not be immediately reachable");
            return;
        }
        for (AddressSpec.Static address : addresses) {
            if (address.address().family() == Family.INET) {
                // arping outlives this process, and with it any descriptor held open here.
                steps.add(new AddressSteps.Announce(Where.guest(c.guest().stableNetnsPath()), containerIf,
                        address.address().address()));
            }
        }
    }
}

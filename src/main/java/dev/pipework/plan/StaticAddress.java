package dev.pipework.plan;

import dev.pipework.model.AddressSpec;
import dev.pipework.model.Family;
import dev.pipework.model.IpAddress;
import dev.pipework.sys.Where;

import java.util.List;

/**
 * A fixed address: added with its broadcast, a gateway made the default route (after an on-link
 * host route when it is outside the subnet), and the address announced with arping when installed.
 */
final class StaticAddress {
    private StaticAddress() {
    }

    static void plan(AttachContext c, AddressSpec.Static address, Family family, Where in, List<String> warnings) {
        List<Step> steps = c.steps();
        String containerIf = c.containerIf();
        if (address.gateway().isPresent()) {
            IpAddress gateway = address.gateway().get();
            if (!address.address().contains(gateway.bytes())) {
                // Like the original: a gateway outside the subnet gets an on-link host route first,
                // or the kernel refuses a default route through it.
                steps.add(new AddressSteps.AddRoute(in, family, gateway + "/" + family.bits(), containerIf));
            }
            steps.add(new AddressSteps.ReplaceDefaultRoute(in, family, gateway, containerIf,
                    c.facts().guestDefaultRoute(c.guest().netnsPath(), family)));
        }
        if (address.address().family() == Family.INET) {
            if (c.facts().installed("arping")) {
                // arping outlives this process, and with it any descriptor held open here.
                steps.add(new AddressSteps.Announce(Where.guest(c.guest().stableNetnsPath()), containerIf,
                        address.address().address()));
            } else {
                warnings.add("Warning: arping not found; interface may not be immediately reachable");
            }
        }
    }
}

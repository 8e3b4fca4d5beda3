package dev.pipework.model;

import java.util.Optional;

/**
 * One attach, as the original's main form asks for it:
 * {@code pipework <hostif> [-i cif] [-l lif] [-a family] <guest> <address> [mac][@vlan]}.
 *
 * @param hostInterface the host interface, bridge or keyword as typed (after {@code mac:} was resolved
 *                      it is still given here as typed; see {@link #hostInterfaceMac})
 * @param hostInterfaceMac set when the host interface was named by its MAC ({@code mac:<hwaddr>})
 * @param containerInterface {@code -i}; empty means the default ({@code eth1}, or {@code ib0} for IPoIB)
 * @param localInterface {@code -l}; empty means the original's {@code v<cif>pl<pid>}
 * @param family {@code -a}; empty means taken from the address (IPv4 when there is none)
 */
public record AttachRequest(
        String hostInterface,
        Optional<MacAddress> hostInterfaceMac,
        Optional<String> containerInterface,
        Optional<String> localInterface,
        Optional<Family> family,
        String guest,
        AddressSpec address,
        Optional<MacAddress> mac,
        Optional<Vlan> vlan,
        boolean directPhys) {

    /** The family {@code ip} commands in the guest are given. */
    public Family effectiveFamily() {
        if (family.isPresent()) {
            return family.get();
        }
        if (address instanceof AddressSpec.Static s) {
            return s.address().family();
        }
        return Family.INET;
    }
}

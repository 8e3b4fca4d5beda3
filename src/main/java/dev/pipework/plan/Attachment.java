package dev.pipework.plan;

import dev.pipework.model.Guest;

import java.util.List;
import java.util.Optional;

/**
 * One interface an attach plumbed into a guest, as the live kernel and Open vSwitch show it.
 *
 * @param containerInterface its name in the guest
 * @param addresses          its global addresses, {@code address/prefix}
 * @param hostInterface      the host end: the veth peer (or the macvlan's parent, the NIC's own name)
 * @param bridge             the bridge the host end is a port of
 * @param originalMac        for a NIC moved whole, the MAC it had on the host
 * @param leases             the leases of the DHCP clients the lease keeper keeps for it (for {@code status})
 */
public record Attachment(Guest guest, String containerInterface, String mac, int mtu, String state,
                         List<String> addresses, Optional<String> hostInterface, Optional<String> bridge,
                         AttachKind kind, Optional<Integer> vlan, Optional<String> originalMac,
                         List<DhcpKeeping.Lease> leases) {

    public Attachment {
        addresses = List.copyOf(addresses);
        leases = List.copyOf(leases);
    }

    public Attachment(Guest guest, String containerInterface, String mac, int mtu, String state,
                      List<String> addresses, Optional<String> hostInterface, Optional<String> bridge,
                      AttachKind kind, Optional<Integer> vlan, Optional<String> originalMac) {
        this(guest, containerInterface, mac, mtu, state, addresses, hostInterface, bridge, kind, vlan, originalMac,
                List.of());
    }

    /** The same, with the leases of the DHCP clients kept for it. */
    public Attachment withLeases(List<DhcpKeeping.Lease> kept) {
        return new Attachment(guest, containerInterface, mac, mtu, state, addresses, hostInterface, bridge, kind, vlan,
                originalMac, kept);
    }

    static Attachment of(Guest guest, GuestLink link, AttachKind kind, Optional<String> hostInterface,
                         Optional<String> bridge, Optional<Integer> vlan, Optional<String> originalMac) {
        return new Attachment(guest, link.name(), link.mac(), link.mtu(), link.state(), link.addresses(),
                hostInterface, bridge, kind, vlan, originalMac);
    }
}

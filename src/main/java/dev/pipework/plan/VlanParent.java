package dev.pipework.plan;

import dev.pipework.model.PipeworkException;
import dev.pipework.sys.Where;

import java.util.Optional;

/**
 * {@code @vlan} on a NIC: its 802.1Q sub-interface {@code <nic>.<vlan>} (made when missing) is the
 * parent of what goes to the guest; an existing one of another kind or tag is refused.
 *
 * @param name the parent to use: the NIC, or its sub-interface
 * @param up   whether that parent is up already
 * @param link what the host showed of it, when it existed
 */
record VlanParent(String name, boolean up, Optional<LinkFacts> link) {

    static VlanParent of(AttachContext c) {
        String nic = c.target().name();
        Optional<LinkFacts> nicLink = c.view().link(nic);
        if (c.request().vlan().isEmpty()) {
            return new VlanParent(nic, c.target().up(), nicLink);
        }
        int id = c.request().vlan().get().id();
        String sub = nic + "." + id;
        if (sub.length() > Names.MAX) {
            throw new PipeworkException("VLAN interface name \"" + sub + "\" is longer than " + Names.MAX
                    + " bytes: Linux refuses it");
        }
        Optional<LinkFacts> existing = c.view().link(sub);
        if (existing.isPresent()) {
            if (!existing.get().vlanId().equals(Optional.of(id))) {
                throw PipeworkException.original(sub + " already exists but is not a VLAN device for tag " + id);
            }
        } else {
            c.steps().add(new LinkSteps.AddVlanLink(nic, sub, c.target().mtu(), id));
        }
        if (!c.target().up()) {
            c.steps().add(new LinkSteps.SetLinkUp(Where.HOST, nic, true));
        }
        return new VlanParent(sub, existing.map(LinkFacts::up).orElse(false), existing);
    }
}

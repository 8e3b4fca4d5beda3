package dev.pipework.plan;

import dev.pipework.model.AttachRequest;
import dev.pipework.model.Guest;
import dev.pipework.sys.Where;

import java.util.List;
import java.util.Optional;

/**
 * What an attach kind plans with: the request, the host side as classified, the guest, the view of
 * the machine, the interface's name in the guest, and the plan being built.
 */
record AttachContext(AttachRequest request, HostTarget target, Guest guest, MachineView view, String containerIf,
                     List<Step> steps, List<String> notices) {

    /** The guest's namespace, for commands run inside it. */
    Where in() {
        return Where.guest(guest.netnsPath());
    }
}

/**
 * How the new link arrives in the guest: its name there before the rename, whether it goes back
 * to the host on undo (a link that lives on its own), the alias that marks it when it lives wholly
 * in the guest (a veth is known by its host end instead), and the MAC to give back to a NIC that
 * returns to the host.
 */
record Arrival(String name, boolean returnsToHost, Optional<String> alias, Optional<String> restoreMac) {
}

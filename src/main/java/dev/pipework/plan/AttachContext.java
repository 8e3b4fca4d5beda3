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

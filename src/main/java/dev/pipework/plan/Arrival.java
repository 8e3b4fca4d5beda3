package dev.pipework.plan;

import java.util.Optional;

/**
 * How the new link arrives in the guest: its name there before the rename, whether it goes back
 * to the host on undo (a link that lives on its own), the alias that marks it when it lives wholly
 * in the guest (a veth is known by its host end instead), and the MAC to give back to a NIC that
 * returns to the host.
 */
record Arrival(String name, boolean returnsToHost, Optional<String> alias, Optional<String> restoreMac) {
}

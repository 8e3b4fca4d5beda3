package dev.pipework.plan;

import java.util.Optional;

/**
 * How the new link arrives in the guest: its name there before the rename, whether it goes back
 * to the host on undo (a link that lives on its own), the alias that marks it when it lives wholly
 * in the guest (a veth is known by its host end instead), the MAC to give back to a NIC that
 * returns to the host, and a step to take before the guest sends, which the planner places (after
 * the guest's {@code ip} commands, or before its interface comes up where IPv6 is asked of the
 * network): the wait for Open vSwitch to have the new port in its datapath, which so overlaps the
 * guest's own steps.
 */
record Arrival(String name, boolean returnsToHost, Optional<String> alias, Optional<String> restoreMac,
               Optional<Step> beforeTraffic) {

    Arrival(String name, boolean returnsToHost, Optional<String> alias, Optional<String> restoreMac) {
        this(name, returnsToHost, alias, restoreMac, Optional.empty());
    }

    Arrival withBeforeTraffic(Step step) {
        return new Arrival(name, returnsToHost, alias, restoreMac, Optional.of(step));
    }
}

package dev.pipework.exec;

import dev.pipework.plan.Command;
import dev.pipework.sys.CommandResult;

import java.util.Optional;
import java.util.function.BooleanSupplier;

/** What the executor needs of Open vSwitch's database, for the steps that add, remove or await a port. */
@FunctionalInterface
public interface OvsdbActions {

    /**
     * The change carried out on the database's socket, with its outcome as a command's; empty where
     * it is left to the change's {@code ovs-vsctl} command (the socket cannot be asked there, or the
     * change is one {@code ovs-vsctl} words better), which the executor then runs. A wait for the
     * switch ends early, as a failure, once {@code stopping} says the run is being stopped.
     */
    Optional<CommandResult> apply(Command.OvsPortChange change, BooleanSupplier stopping);

    /** The wait for the switch to have a port, on the socket; empty where left to its {@code ovs-vsctl}. */
    default Optional<CommandResult> awaitPort(Command.AwaitOvsPort await, BooleanSupplier stopping) {
        return Optional.empty();
    }

    /** No database socket: every change runs its {@code ovs-vsctl} command. */
    OvsdbActions NONE = (change, stopping) -> Optional.empty();
}

package dev.pipework.exec;

import dev.pipework.plan.Command;
import dev.pipework.sys.CommandResult;

import java.util.Optional;
import java.util.function.BooleanSupplier;

/** What the executor needs of Open vSwitch's database, for the steps that add or remove a port. */
@FunctionalInterface
public interface OvsdbActions {

    /**
     * The change carried out on the database's socket, with its outcome as a command's; empty where
     * it could not be asked there (no server on the socket, the connection lost), for the executor
     * to run the change's {@code ovs-vsctl} command, which says why where it fails too. A wait for
     * the switch ends early, as a failure, once {@code stopping} says the run is being stopped.
     */
    Optional<CommandResult> apply(Command.OvsPortChange change, BooleanSupplier stopping);

    /** No database socket: every change runs its {@code ovs-vsctl} command. */
    OvsdbActions NONE = (change, stopping) -> Optional.empty();
}

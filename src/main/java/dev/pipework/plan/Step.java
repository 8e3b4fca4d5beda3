package dev.pipework.plan;

import java.util.List;
import java.util.Optional;

/**
 * One change to the machine: the command that makes it and the command that takes it back. Each
 * record names the {@code ip}, {@code ovs-vsctl} or other command it equals; the executor decides
 * how a command runs, from its type.
 */
public sealed interface Step permits Step.OwnPath, LinkSteps.AddLinuxBridge, LinkSteps.DeleteLink,
        LinkSteps.SetAlias, LinkSteps.AddVlanLink, LinkSteps.AddMacvlan, LinkSteps.AddDummy, LinkSteps.AddChildLink,
        LinkSteps.AddVethPair, LinkSteps.SetMaster, LinkSteps.SetLinkUp, LinkSteps.SetLinkDown,
        LinkSteps.MoveToNetns, LinkSteps.MoveNewLinkToNetns, LinkSteps.ReturnToHost, LinkSteps.MovePhyToNetns,
        LinkSteps.RenameLink, LinkSteps.SetMacAddress, OvsSteps.AddOvsBridge, OvsSteps.AddOvsPort,
        OvsSteps.AwaitOvsPort, OvsSteps.RemoveOvsPort, OvsSteps.DeleteOvsBridge, AddressSteps.AddAddress,
        AddressSteps.AddRoute, AddressSteps.AddRouteVia, AddressSteps.ReplaceDefaultRoute, AddressSteps.Announce,
        DhcpSteps.Unmount, DhcpSteps.RemoveDirectory, DhcpSteps.RemoveFile, DhcpSteps.HostDhcpClient,
        DhcpSteps.StopByPidFile, DhcpSteps.StopProcess, DhcpSteps.HelperDhcpClient, DhcpSteps.RemoveContainer,
        DhcpSteps.PrivateDirectory, DhcpSteps.KeptDhcpClient, DhcpSteps.StartKeeper, DhcpSteps.ReleaseLease,
        DhcpSteps.SetSysctl, DhcpSteps.AwaitSlaac, DhcpSteps.HostLease, KeeperFileSteps.ChangeMode,
        KeeperFileSteps.Rename, OverlaySteps.AddBridge, OverlaySteps.AddVxlan, OverlaySteps.AppendFdb,
        OverlaySteps.AddOvsBridge, OverlaySteps.AddTunnelPort, OverlaySteps.RemoveOvsBridge, OverlaySteps.DeleteFdb {

    /** The command that makes the change. */
    Command command();

    /** The command that reverts it; empty when nothing needs reverting or a later undo covers it. */
    Optional<Command> undo();

    /** What the step does, for messages: {@code failed to <action>: <cause>}. */
    String action();

    /** The command line the change equals, as a dry run prints it. */
    default List<String> argv() {
        return command().argv();
    }

    /**
     * Whether the undo is harmless where this step never ran: only such an undo is run for a step
     * begun and not known done (its run killed between the change and its record, a batch that
     * failed without naming its line). By default: an {@code ip} undo in its step's namespace (a
     * link that was absent when the plan was made under the locks, or a state the plan read); the
     * stop of a kept DHCP client by the command line that names its pid file, which matches the
     * clients of that key alone, started or not (one killed while it asked for its lease has written
     * no pid file); an {@code ovs-vsctl} command that the step's own begins, in the same transaction
     * (the planner removes what it removes, whatever the step's outcome). A step may say more of its
     * own undo (a file of pipework's own that the step writes whole, a helper container removed by
     * the tag of its own it is started with). Not an undo in another
     * namespace than its step's: a link brought back out of a guest by a move that never ran would be
     * the guest's own.
     */
    default boolean undoHarmlessIfNotRun() {
        if (undo().isEmpty()) {
            return true;
        }
        Command step = command();
        Command undo = undo().get();
        // By the path, not the record's own equals: its start-up cost is measured in run.MachineReader.
        return step instanceof Command.Ip a && undo instanceof Command.Ip b
                && a.where().netnsPath().equals(b.where().netnsPath())
                || step instanceof Command.Obtain && undo instanceof Command.Exec e && e.argv().size() == 4
                && e.argv().subList(0, 3).equals(List.of("pkill", "-x", "-f"))
                || (step instanceof Command.Exec || step instanceof Command.OvsPortChange)
                && undo instanceof Command.Exec u && beginsTransaction(step.argv(), u.argv());
    }

    /**
     * A step on a file, directory or mount of pipework's own name (a record, the keeper's files, the
     * {@code ip netns exec} name of a guest's namespace, a file staged under the run's number) whose
     * undo, where it has one, removes it ({@code rm}, {@code umount}): harmless where the step never
     * ran, as what is there under that name is pipework's (runs on one guest hold its lock, and each
     * removes the names it uses before it ends), and the undo of the step done would remove the same.
     */
    sealed interface OwnPath extends Step permits DhcpSteps.MakeDirectory, DhcpSteps.CreateFile, DhcpSteps.BindMount,
            DhcpSteps.WriteKeeperFile, DhcpSteps.ClearPidFile, LinkSteps.RecordDirect, KeeperFileSteps.WriteStaged {
        @Override
        default boolean undoHarmlessIfNotRun() {
            return true;
        }
    }

    /**
     * Whether {@code step} is {@code ovs-vsctl} whose first command, before a {@code --}, is
     * {@code undo}'s ({@link OvsSteps#withoutNoWait}: a {@code --no-wait} aside on either).
     */
    private static boolean beginsTransaction(List<String> stepWithOptions, List<String> undo) {
        List<String> step = OvsSteps.withoutNoWait(stepWithOptions);
        List<String> first = OvsSteps.withoutNoWait(undo);
        int n = first.size();
        return n > 1 && first.get(0).equals("ovs-vsctl") && !first.contains("--") && step.size() > n
                && step.subList(0, n).equals(first) && step.get(n).equals("--");
    }
}

package dev.pipework.plan;

import java.util.List;
import java.util.Optional;

/**
 * One change to the machine: the command that makes it and the command that takes it back. Each
 * record names the {@code ip}, {@code ovs-vsctl} or other command it equals; the executor decides
 * how a command runs, from its type.
 */
public sealed interface Step permits LinkSteps.AddLinuxBridge, LinkSteps.DeleteLink, LinkSteps.SetAlias,
        LinkSteps.AddVlanLink, LinkSteps.AddMacvlan, LinkSteps.AddDummy, LinkSteps.AddChildLink, LinkSteps.AddVethPair,
        LinkSteps.SetMaster, LinkSteps.SetLinkUp, LinkSteps.SetLinkDown, LinkSteps.MoveToNetns,
        LinkSteps.ReturnToHost, LinkSteps.MovePhyToNetns, LinkSteps.RenameLink, LinkSteps.SetMacAddress, LinkSteps.RecordDirect,
        OvsSteps.AddOvsBridge, OvsSteps.AddOvsPort, OvsSteps.RemoveOvsPort, OvsSteps.DeleteOvsBridge,
        AddressSteps.AddAddress, AddressSteps.AddRoute, AddressSteps.AddRouteVia, AddressSteps.ReplaceDefaultRoute, AddressSteps.Announce,
        DhcpSteps.MakeDirectory, DhcpSteps.CreateFile, DhcpSteps.BindMount, DhcpSteps.Unmount,
        DhcpSteps.RemoveDirectory, DhcpSteps.RemoveFile, DhcpSteps.HostDhcpClient, DhcpSteps.StopByPidFile, DhcpSteps.StopProcess,
        DhcpSteps.HelperDhcpClient, DhcpSteps.RemoveContainer, DhcpSteps.PrivateDirectory, DhcpSteps.WriteKeeperFile,
        DhcpSteps.KeptDhcpClient, DhcpSteps.StartKeeper, DhcpSteps.ReleaseLease, DhcpSteps.SetSysctl, DhcpSteps.AwaitSlaac,
        DhcpSteps.ClearPidFile, DhcpSteps.HostLease, KeeperFileSteps.WriteStaged, KeeperFileSteps.ChangeMode,
        KeeperFileSteps.Rename,
        OverlaySteps.AddBridge, OverlaySteps.AddVxlan, OverlaySteps.AppendFdb, OverlaySteps.AddOvsBridge,
        OverlaySteps.AddTunnelPort, OverlaySteps.RemoveOvsBridge, OverlaySteps.DeleteFdb {

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
}

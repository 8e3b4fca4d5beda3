package dev.pipework.plan;

import java.util.List;

/**
 * One change to the machine: the command that makes it and the command that takes it back.
 * Each record names the {@code ip}, {@code ovs-vsctl} or other command it equals.
 */
public sealed interface Step permits Steps.AddLinuxBridge, Steps.AddOvsBridge, Steps.DeleteLink,
        Steps.AddVethPair, Steps.SetMaster, Steps.AddOvsPort, Steps.SetLinkUp, Steps.MoveToNetns,
        Steps.RenameLink, Steps.SetMacAddress, Steps.AddAddress, Steps.AddRoute,
        Steps.ReplaceDefaultRoute, Steps.Announce, Steps.SetAlias, Steps.RemoveOvsPort, Steps.SetLinkDown,
        Steps.MovePhyToNetns, Steps.AddVlanLink, Steps.AddMacvlan, Steps.AddDummy, Steps.AddIpoib, Steps.ReturnToHost,
        Steps.MakeDirectory, Steps.CreateFile, Steps.BindMount, Steps.Unmount, Steps.RemoveDirectory, Steps.HostDhcpClient, Steps.StopByPidFile, Steps.RemoveFile, Steps.HelperDhcpClient,
        Steps.RemoveContainer {

    /** The command that makes the change. */
    List<String> argv();

    /** The command that reverts it; empty when nothing needs reverting or a later undo covers it. */
    List<String> undo();

    /** What the step does, for messages: {@code failed to <action>: <cause>}. */
    String action();

    /** Makes the change: runs {@link #argv()}, unless the step acts another way (the Docker Engine API). */
    default dev.pipework.exec.CommandResult perform(StepEffects effects) {
        return effects.runner().run(argv());
    }

    /** Takes the change back: runs {@link #undo()}, unless the step acts another way. */
    default dev.pipework.exec.CommandResult revert(StepEffects effects) {
        return effects.runner().run(undo());
    }

    /** The route this step adds in the guest, as {@code ip route} shows it, for the JSON result. */
    default java.util.Optional<String> routeAdded() {
        return java.util.Optional.empty();
    }

}

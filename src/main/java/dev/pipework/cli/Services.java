package dev.pipework.cli;

import dev.pipework.exec.CommandRunner;
import dev.pipework.guest.AttachmentInspector;
import dev.pipework.guest.DockerEngine;
import dev.pipework.guest.GuestInspector;
import dev.pipework.guest.GuestResolver;
import dev.pipework.host.HostInspector;

import java.nio.file.Path;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What the command line layer is given to work with: the real machine in {@link Main}, fakes in tests.
 *
 * @param runner       runs the plan's commands (and route, rule and tc); the inspectors have their own
 * @param effectiveUid the effective user ID (0 for root)
 * @param lockDir      where the locks that serialise runs on one bridge or one guest live
 * @param docker       the Docker engine, for the DHCP helper container
 * @param attachments  a new reader of what attaches plumbed (it reads Open vSwitch once, so one per command)
 */
public record Services(CommandRunner runner, HostInspector host, GuestResolver guests, GuestInspector guestInspector,
                       IntSupplier effectiveUid, Path lockDir, Supplier<AttachmentInspector> attachments,
                       DockerEngine docker) {

    static final String CHANGES = "it changes network interfaces and namespaces (try sudo, or --dry-run to see the commands)";

    /** The executor of plans, acting through this runner and Docker engine. */
    dev.pipework.exec.Executor executor() {
        return new dev.pipework.exec.Executor(new dev.pipework.plan.StepEffects(runner, docker));
    }

    /** Refuses to go on without root, saying why root is needed. */
    void requireRoot(String why) {
        if (effectiveUid.getAsInt() != 0) {
            throw new dev.pipework.model.PipeworkException("must be run as root: " + why);
        }
    }
}

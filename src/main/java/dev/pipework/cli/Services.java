package dev.pipework.cli;

import dev.pipework.exec.CommandRunner;
import dev.pipework.guest.GuestInspector;
import dev.pipework.guest.GuestResolver;
import dev.pipework.host.HostInspector;

import java.util.function.IntSupplier;

/**
 * What the command line layer is given to work with: the real machine in {@link Main}, fakes in tests.
 *
 * @param effectiveUid the effective user ID (0 for root)
 */
record Services(CommandRunner runner, HostInspector host, GuestResolver guests, GuestInspector guestInspector,
                IntSupplier effectiveUid) {
}

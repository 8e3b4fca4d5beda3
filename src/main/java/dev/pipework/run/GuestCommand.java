package dev.pipework.run;

import dev.pipework.model.Guest;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.ShellWords;
import dev.pipework.sys.Where;

import java.util.List;
import java.util.Optional;

/**
 * {@code route|rule|tc <guest> <args...>}: a command of the user's run in the guest's namespace, in
 * the run sequence as every change is (the guest resolved once the locks are taken, its namespace
 * locked, held open and checked to be the guest resolved); its output and exit status are the
 * user's to read.
 */
public final class GuestCommand {
    private final Services services;

    public GuestCommand(Services services) {
        this.services = services;
    }

    /** What the command would run, for {@code --dry-run}: nothing is locked, held or run. */
    public String dryRun(String token, List<String> tool) {
        Guest guest = services.guests().resolve(token);
        return ShellWords.join(Where.guest(guest.netnsPath()).wrap(tool));
    }

    /** Runs {@code tool} (its argv) in the guest named by {@code token}, through the held namespace. */
    public CommandResult run(String token, List<String> tool) {
        services.requireRoot("it enters the guest's network namespace");
        return new Sequence(services).run(List.of(), view -> Optional.of(services.guests().resolve(token)), held -> {
            Guest guest = held.guest().orElseThrow();
            return services.runner().run(Where.guest(guest.netnsPath()).wrap(tool));
        });
    }
}

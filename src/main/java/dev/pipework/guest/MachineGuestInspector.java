package dev.pipework.guest;

import dev.pipework.exec.CommandResult;
import dev.pipework.exec.CommandRunner;
import dev.pipework.model.Family;
import dev.pipework.model.PipeworkException;
import dev.pipework.plan.DefaultRoute;
import dev.pipework.plan.Where;

import java.util.List;
import java.util.Optional;

/** Asks {@code ip} inside the guest, and Docker about its container. */
public final class MachineGuestInspector implements GuestInspector {
    private final CommandRunner runner;
    private final DockerEngine docker;

    public MachineGuestInspector(CommandRunner runner, DockerEngine docker) {
        this.runner = runner;
        this.docker = docker;
    }

    @Override
    public Optional<DefaultRoute> defaultRoute(Guest guest, Family family) {
        CommandResult result = runner.run(Where.guest(guest.netnsPath())
                .wrap(List.of("ip", "-o", family.ipFlag(), "route", "show", "default")));
        if (!result.succeeded()) {
            return Optional.empty();
        }
        return parseDefaultRoute(result.stdout());
    }

    /** Reads the first line of {@code ip -o route show default}: {@code default via 172.17.0.1 dev eth0 ...}. */
    static Optional<DefaultRoute> parseDefaultRoute(String text) {
        for (String line : text.split("\n")) {
            String[] words = line.trim().split("\\s+");
            Optional<String> via = Optional.empty();
            String device = null;
            for (int i = 0; i + 1 < words.length; i++) {
                if (words[i].equals("via")) {
                    via = Optional.of(words[i + 1]);
                } else if (words[i].equals("dev")) {
                    device = words[i + 1];
                }
            }
            if (words.length > 0 && words[0].equals("default") && device != null) {
                return Optional.of(new DefaultRoute(via, device));
            }
        }
        return Optional.empty();
    }

    @Override
    public void verifyUnchanged(Guest guest) {
        if (guest.kind() != Guest.Kind.DOCKER) {
            return;
        }
        Optional<DockerContainer> now;
        try {
            now = docker.inspect(guest.containerId().orElseThrow());
        } catch (DockerException e) {
            throw new PipeworkException("cannot check container \"" + guest.token() + "\" again: " + e.getMessage());
        }
        if (now.isEmpty() || now.get().pid() != guest.pid() || !now.get().running()) {
            throw new PipeworkException("container \"" + guest.token() + "\" stopped or restarted while it was being"
                    + " plumbed (its PID was " + guest.pid() + "); nothing was changed");
        }
    }
}

package dev.pipework.exec;

import dev.pipework.plan.Command;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.sys.ShellWords;

import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What each kind of command does: a program through the runner, a container through the engine, a
 * port's change and the wait for it on Open vSwitch's database.
 */
final class Commands {
    /** How long a helper container that should end by itself (udhcpc with its lease) is waited for. */
    static final long HELPER_WAIT_SECONDS = 30;

    private final CommandRunner runner;
    private final ContainerActions containers;
    private final OvsdbActions ovsdb;
    /** Whether the run is being stopped by a signal: a wait ends then. */
    private final BooleanSupplier stopping;

    Commands(CommandRunner runner, ContainerActions containers, OvsdbActions ovsdb, BooleanSupplier stopping) {
        this.runner = runner;
        this.containers = containers;
        this.ovsdb = ovsdb;
        this.stopping = stopping;
    }

    /** Carries out one command, as its type says. */
    CommandResult run(Command command) {
        if (command instanceof Command.Ip ip) {
            return runner.run(ip.argv());
        }
        if (command instanceof Command.Exec exec) {
            CommandResult result = exec.bound().isPresent() ? runner.run(exec.argv(), null, exec.bound().get())
                    : runner.run(exec.argv());
            return exec.successStatuses().contains(result.exitStatus()) && !result.succeeded()
                    ? new CommandResult(0, result.stdout(), "") : result;
        }
        if (command instanceof Command.OvsPortChange change) {
            return onOvsdb(change.argv(), () -> ovsdb.apply(change, stopping));
        }
        if (command instanceof Command.AwaitOvsPort await) {
            return onOvsdb(await.argv(), () -> ovsdb.awaitPort(await, stopping));
        }
        if (command instanceof Command.Obtain obtain) {
            CommandResult result = runner.run(obtain.argv(), null, obtain.bound());
            return result.succeeded() ? result : new CommandResult(1, result.stdout(), obtain.failure());
        }
        if (command instanceof Command.AwaitAddress await) {
            return awaitAddress(await);
        }
        if (command instanceof Command.Detached detached) {
            // The program keeps no pipe of this process: waiting ends as soon as it has forked.
            runner.runDiscardingOutput(detached.argv());
            return new CommandResult(0, "", "");
        }
        if (command instanceof Command.WriteFile write) {
            CommandResult made = runner.run(List.of("mkdir", "-p", write.directory()));
            if (!made.succeeded()) {
                return made;
            }
            CommandResult written = runner.run(List.of("tee", write.path()), write.content() + "\n");
            return written.succeeded() ? new CommandResult(0, "", "") : written;
        }
        if (command instanceof Command.StartContainer start) {
            return engine(() -> {
                String id = containers.start(start.createBody());
                if (start.awaitExit() && !awaitExit(id)) {
                    // No lease in time: the helper goes now, as the step failed, and the run is undone.
                    containers.remove(id);
                    throw new ContainerActions.Failed("no DHCP lease within " + HELPER_WAIT_SECONDS
                            + " s (udhcpc in the helper container was still asking)");
                }
                return id;
            });
        }
        if (command instanceof Command.RemoveContainer remove) {
            return engine(() -> {
                containers.remove(remove.id());
                return "";
            });
        }
        Command.RemoveLabelled labelled = (Command.RemoveLabelled) command;
        return engine(() -> {
            for (String id : containers.labelled(labelled.label(), labelled.value())) {
                containers.remove(id);
            }
            return "";
        });
    }

    /** On the database's socket where it is served, else by its {@code ovs-vsctl} command; logged as a command. */
    private CommandResult onOvsdb(List<String> argv, java.util.function.Supplier<Optional<CommandResult>> onSocket) {
        long start = System.nanoTime();
        Optional<CommandResult> applied = onSocket.get();
        if (applied.isEmpty()) {
            return runner.run(argv);
        }
        if (CommandLog.enabled()) {
            CommandResult result = applied.get();
            CommandLog.debug("on Open vSwitch's database socket: {}", ShellWords.join(argv));
            CommandLog.debug("  exit {} after {} ms{}", result.exitStatus(), (System.nanoTime() - start) / 1_000_000,
                    result.stderr().isBlank() ? "" : ": " + result.stderr().strip());
        }
        return applied.get();
    }

    /** Reads the interface every 0.2 s until it has a global IPv6 address, within the bound. */
    private CommandResult awaitAddress(Command.AwaitAddress await) {
        long deadline = System.nanoTime() + await.bound().toNanos();
        while (true) {
            CommandResult shown = runner.run(await.argv());
            if (shown.succeeded() && shown.stdout().contains("inet6 ")) {
                return shown;
            }
            if (System.nanoTime() >= deadline || stopping.getAsBoolean()) {
                return new CommandResult(1, "", "no IPv6 address from router advertisements within "
                        + await.bound().toSeconds() + " s on \"" + await.iface() + "\"");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new CommandResult(1, "", "interrupted");
            }
        }
    }

    private interface EngineCall {
        String call() throws ContainerActions.Failed;
    }

    private static CommandResult engine(EngineCall call) {
        try {
            return new CommandResult(0, call.call(), "");
        } catch (ContainerActions.Failed e) {
            return new CommandResult(1, "", e.getMessage());
        }
    }

    /**
     * udhcpc goes to the background once its lease is applied, which ends the helper: waiting for
     * that (a bounded while) means the address is there when the command returns, as with the
     * host's clients. False when the helper still runs at the end of the wait: no lease.
     */
    private boolean awaitExit(String id) throws ContainerActions.Failed {
        long deadline = System.nanoTime() + HELPER_WAIT_SECONDS * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!containers.running(id).orElse(false)) {
                return true;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !containers.running(id).orElse(false);
    }
}

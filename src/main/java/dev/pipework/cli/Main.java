package dev.pipework.cli;

import dev.pipework.cni.CniMain;
import dev.pipework.guest.CniRecords;
import dev.pipework.sys.CommandRunner;
import dev.pipework.exec.ProcessCommandRunner;
import dev.pipework.exec.Shutdown;
import dev.pipework.guest.Docker;
import dev.pipework.guest.DockerEngine;
import dev.pipework.guest.IpGuestInspector;
import dev.pipework.guest.RuntimeResolver;
import dev.pipework.host.Privileges;
import dev.pipework.exec.Journal;
import dev.pipework.host.RunLock;
import dev.pipework.host.SysfsHostInspector;
import dev.pipework.run.Services;

import java.io.PrintStream;

/** The program's entry point: wires the real machine into {@link Pipework}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // First of all: the guest's runtime readied beside the wiring of the machine and the reading of
        // the host, which come before it is asked (GuestResolver.prepare).
        PlainLine plainLine = PlainLine.of(args);
        plainLine.guestAsked().ifPresent(RuntimeResolver::readyFor);
        ProcessCommandRunner.prepareLogger();
        // SIGTERM or SIGINT undoes the run under way, for the command line and the CNI plugin alike;
        // the watcher chooses its own policy (WatchCommand).
        Shutdown.process().undoRunOnSignal();
        // Before the CNI plugin's test: a udhcpc the plugin started passes CNI_COMMAND on to its script.
        if (UdhcpcEvent.wanted(args)) {
            System.exit(UdhcpcEvent.run(args, System.getenv(), new ProcessCommandRunner(), System.err));
        }
        if (CniMain.wanted(System.getenv())) {
            System.exit(cni());
        }
        configureLogging(args);
        // The launcher's training runs have no arguments: a command line is never taken for one.
        var training = args.length == 0 ? Training.wanted(System.getenv("PIPEWORK_TRAINING"))
                : java.util.Optional.<Training.Front>empty();
        int status;
        try {
            CommandRunner runner = new ProcessCommandRunner();
            Services services = services(runner, runner, System.err);
            if (training.isPresent()) {
                // The launcher makes a start-up cache from this run. Its plumbing is in namespaces of
                // its own: its journal too, so that no run on the host ever undoes it there.
                java.nio.file.Path journal = java.nio.file.Files.createTempDirectory("pipework-training-");
                try {
                    Training.run(new Services(services.runner(), services.host(), services.guests(),
                            services.guestInspector(), services.effectiveUid(), services.lockDir(), services.docker(),
                            services.warn(),
                            // No pools: the host's pools file must not reserve the training's addresses.
                            new dev.pipework.ipam.Ipam(journal.resolve("pools"), java.util.Optional.empty()),
                            java.util.Optional.of(new Journal(journal.resolve("journal"))), services.ovsdb()),
                            training.get());
                } finally {
                    java.nio.file.Files.deleteIfExists(journal.resolve("journal"));
                    java.nio.file.Files.deleteIfExists(journal);
                }
                System.exit(0);
            }
            status = new Pipework(services, System.out, System.err).run(plainLine, args);
        } catch (java.io.IOException e) {
            status = Pipework.report(new java.io.UncheckedIOException(e), System.err, false);
        } catch (RuntimeException | LinkageError e) {
            // Wiring the machine in failed before Pipework could report it: still one line.
            status = Pipework.report(e, System.err, Options.Verbose.requested(args));
        }
        System.out.flush();
        System.exit(status);
    }

    /** The launcher run as a CNI plugin: the configuration on stdin, the verb in the environment. */
    private static int cni() {
        configureLogging(new String[0]);
        CommandRunner runner = new ProcessCommandRunner();
        int status = new CniMain(services(runner, runner, System.err), new CniRecords(CniRecords.DEFAULT_DIR),
                System.out, System.err).run(System.getenv(), System.in);
        System.out.flush();
        return status;
    }

    /**
     * The services of the real machine.
     *
     * @param executing the runner that carries out plans (tests put a fault injector here)
     * @param reading   the runner that gathers facts
     */
    public static Services services(CommandRunner executing, CommandRunner reading, PrintStream err) {
        DockerEngine docker = Docker.detect(reading);
        java.util.function.Consumer<String> warn = line -> err.println("pipework: " + line);
        return new Services(executing, new SysfsHostInspector(reading), RuntimeResolver.machine(docker, reading, warn),
                new IpGuestInspector(reading), Privileges::effectiveUid, RunLock.DEFAULT_DIR, docker, warn,
                java.util.Optional.of(Journal.fromEnvironment(System.getenv()))).withOvsdb(Services.OVSDB_SOCKET);
    }

    /** {@code -v} turns on the command log; it must be set before the first logger is made. */
    private static void configureLogging(String[] args) {
        boolean verbose = Options.Verbose.requested(args);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "warn");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showLogName", "false");
        System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "false");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "false");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        if (verbose) {
            dev.pipework.exec.CommandLog.enable();
        }
    }
}

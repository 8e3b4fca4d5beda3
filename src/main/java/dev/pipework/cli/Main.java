package dev.pipework.cli;

import dev.pipework.exec.CommandRunner;
import dev.pipework.exec.ProcessCommandRunner;
import dev.pipework.guest.Docker;
import dev.pipework.guest.DockerEngine;
import dev.pipework.guest.MachineGuestInspector;
import dev.pipework.guest.MachineGuestResolver;
import dev.pipework.host.Privileges;
import dev.pipework.host.SysfsHostInspector;

import java.io.PrintStream;

/** The program's entry point: wires the real machine into {@link Pipework}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        configureLogging(args);
        PrintStream err = System.err;
        CommandRunner runner = new ProcessCommandRunner();
        DockerEngine docker = Docker.detect();
        Services services = new Services(runner, new SysfsHostInspector(runner),
                new MachineGuestResolver(docker, line -> err.println("pipework: " + line)),
                new MachineGuestInspector(runner, docker), Privileges::effectiveUid);
        int status = new Pipework(services, System.out, err).run(args);
        System.out.flush();
        System.exit(status);
    }

    /** {@code -v} turns on the command log; it must be set before the first logger is made. */
    private static void configureLogging(String[] args) {
        boolean verbose = false;
        for (String a : args) {
            if (a.equals("-v") || a.equals("--verbose")) {
                verbose = true;
            }
        }
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "warn");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showLogName", "false");
        System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "false");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "false");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    }
}

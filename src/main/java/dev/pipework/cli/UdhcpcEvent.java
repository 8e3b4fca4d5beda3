package dev.pipework.cli;

import dev.pipework.plan.DhcpKeeping;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * udhcpc's script for a kept udhcpc ({@link DhcpKeeping#HOOK}): {@code pipework udhcpc-event <hook>
 * <action>}, run by udhcpc in the guest's namespace, in {@code ip netns exec}'s mount namespace,
 * which sees the host's files. On {@code bound} and {@code renew} it records the lease (address,
 * server, expiry: checked, they came from the network) in the client's lease file, which only root
 * on the host can write; on {@code deconfig}, {@code leasefail} and {@code nak} it removes it. Then
 * it runs udhcpc's own script with the same action and variables, which configures the interface as
 * before, and exits with its status.
 */
final class UdhcpcEvent {
    /** Debian's busybox looks for its script here; upstream busybox, at the second. */
    private static final List<String> SCRIPTS = List.of("/etc/udhcpc/default.script", "/usr/share/udhcpc/default.script");

    private UdhcpcEvent() {
    }

    static boolean wanted(String[] args) {
        return args.length >= 1 && args[0].equals(DhcpKeeping.HOOK_WORD);
    }

    static int run(String[] args, Map<String, String> env, CommandRunner runner, PrintStream err) {
        return run(args, env, runner, err, SCRIPTS);
    }

    static int run(String[] args, Map<String, String> env, CommandRunner runner, PrintStream err, List<String> scripts) {
        String action = args.length >= 2 ? args[args.length - 1] : "";
        String key = env.get(DhcpKeeping.KEY_VARIABLE);
        if (DhcpKeeping.validKey(key)) {
            String file = DhcpKeeping.DIR + "/" + key + ".leases";
            switch (action) {
                case "bound", "renew" -> DhcpKeeping.udhcpcLease(env, Instant.now()).ifPresent(text -> {
                    if (runner.run(List.of("tee", file + ".new"), text).succeeded()) {
                        runner.run(List.of("mv", "-f", file + ".new", file));
                    }
                });
                case "deconfig", "leasefail", "nak" -> runner.run(List.of("rm", "-f", file, file + ".new"));
                default -> { }
            }
        }
        Optional<String> script = scripts.stream().filter(s -> Files.isExecutable(Path.of(s))).findFirst();
        if (script.isEmpty()) {
            err.println("pipework: udhcpc's script is not installed (" + String.join(" or ", scripts) + ")");
            return 1;
        }
        List<String> argv = new ArrayList<>(List.of(script.get()));
        if (!action.isEmpty()) {
            argv.add(action);
        }
        // The variables udhcpc set are this process's own: the script is given them as they are.
        CommandResult r = runner.run(argv, null, Duration.ofSeconds(30));
        System.out.print(r.stdout());
        err.print(r.stderr());
        return r.exitStatus();
    }
}

package dev.pipework.cli;

import dev.pipework.exec.Shutdown;
import dev.pipework.plan.DhcpKeeping;
import dev.pipework.run.DhcpKeeper;
import dev.pipework.run.Services;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code pipework dhcp-keeper}: the lease keeper, which attaches with a host DHCP client start
 * ({@code setsid -f}); not meant to be typed, though running it by hand is harmless (a second one
 * exits at once). Its lines go to {@code keeper.log} beside its records, started afresh past 1 MB.
 */
final class DhcpKeeperCommand {
    static final String WORD = "dhcp-keeper";
    private static final long LOG_LIMIT = 1 << 20;

    private DhcpKeeperCommand() {
    }

    static int run(Services services, PrintStream err) {
        services.requireRoot("it starts and stops DHCP clients in the guests' namespaces");
        Path log = Path.of(DhcpKeeping.DIR, "keeper.log");
        try {
            Files.createDirectories(log.getParent());
            boolean append = !Files.isRegularFile(log) || Files.size(log) < LOG_LIMIT;
            try (PrintStream out = new PrintStream(new FileOutputStream(log.toFile(), append), true,
                    StandardCharsets.UTF_8)) {
                DhcpKeeper keeper = new DhcpKeeper(services, out);
                // SIGTERM or SIGINT: the round under way ends, the clients stay; the next attach starts a keeper again.
                return Shutdown.process().finishActionOnSignal(keeper::stop, keeper::run);
            }
        } catch (IOException e) {
            err.println("pipework: cannot open " + log + ": " + e.getMessage());
            return 1;
        }
    }
}

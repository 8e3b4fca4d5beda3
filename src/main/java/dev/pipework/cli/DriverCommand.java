package dev.pipework.cli;

import dev.pipework.driver.DriverService;
import dev.pipework.driver.DriverState;
import dev.pipework.run.Services;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code pipework driver [--socket PATH] [--state-dir DIR]}: Docker's network and IPAM driver, in
 * the foreground, until SIGTERM or SIGINT.
 */
@Command(name = "driver", description = "Serves Docker's network and IPAM driver plugin API (docker network create"
        + " -d pipework) on a Unix socket, in the foreground; with no --socket and a listening socket inherited from"
        + " systemd, on that one. SIGTERM or SIGINT ends it after the call under way, with exit status 0.")
final class DriverCommand implements Subcommand {
    static final Path DEFAULT_SOCKET = Path.of("/run/docker/plugins/pipework.sock");

    @Mixin
    Options.Verbose verbose = new Options.Verbose();

    @Option(names = "--socket", paramLabel = "PATH",
            description = "the socket to listen on (default: /run/docker/plugins/pipework.sock, where Docker finds a"
                    + " plugin named pipework)")
    Path socket;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "where networks and endpoints are recorded (default: $" + DriverState.VARIABLE
                    + ", else /var/lib/pipework/docker)")
    Path stateDir;

    @Override
    public int run(Invocation how, Services services, PrintStream out, PrintStream err) {
        services.requireRoot(Services.CHANGES);
        Path state = Optional.ofNullable(stateDir)
                .or(() -> Optional.ofNullable(System.getenv(DriverState.VARIABLE)).filter(s -> !s.isEmpty()).map(Path::of))
                .orElse(DriverState.DEFAULT);
        return new DriverService(services, new DriverState(state), err).run(Optional.ofNullable(socket), DEFAULT_SOCKET);
    }
}

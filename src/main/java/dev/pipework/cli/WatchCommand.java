package dev.pipework.cli;

import dev.pipework.exec.Shutdown;
import dev.pipework.guest.DockerSocketEngine;
import dev.pipework.model.PipeworkException;
import dev.pipework.run.Services;
import dev.pipework.watch.AttachmentsFile;
import dev.pipework.watch.DeclarationPolicy;
import dev.pipework.watch.Reconciler;
import dev.pipework.watch.Watcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code pipework watch}: {@code apply}, then follows the engine's events: a container that starts
 * gets what it declares, one that stops or goes loses what the kernel leaves behind.
 */
@Command(name = "watch", description = "Applies the declarations, then keeps them: follows the Docker engine's"
        + " events (start, die, destroy) over its API socket; SIGTERM or SIGINT ends it after the actions under way,"
        + " with exit status 0.")
final class WatchCommand implements Subcommand {
    @Mixin
    Options.Config config = new Options.Config();

    @Mixin
    Options.Verbose verbose = new Options.Verbose();

    @Override
    public int run(Invocation how, Services services, PrintStream out, PrintStream err) {
        services.requireRoot(Services.CHANGES);
        Path socket = DockerSocketEngine.socketFromEnvironment(System.getenv()).orElseThrow(
                () -> new PipeworkException("watch follows the engine's events over its API socket: set DOCKER_HOST"
                        + " to unix://<path> (tcp:// and ssh:// are not supported)"));
        Reconciler reconciler = new Reconciler(services, new DeclarationReader(),
                new AttachmentsFile(config.file, new DeclarationReader()), out, err, false, how.renderer(),
                DeclarationPolicy.load(config.policy));
        Watcher watcher = new Watcher(services, reconciler, socket, err, how.verbose());
        // SIGTERM or SIGINT: the actions under way finish (complete, or undone if they fail), then exit 0.
        return Shutdown.process().finishActionOnSignal(watcher::stop, watcher::run);
    }
}

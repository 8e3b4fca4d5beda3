package dev.pipework.driver;

import dev.pipework.exec.Shutdown;
import dev.pipework.model.PipeworkException;
import dev.pipework.run.Services;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The driver as a process: its records cleaned up, then the API served on its socket (its own, or
 * one systemd listens on and hands over as standard input) until a signal; the call under way
 * finishes, none begins after, and the process exits with 0.
 */
public final class DriverService {
    private final Services services;
    private final DriverState state;
    private final PrintStream err;

    public DriverService(Services services, DriverState state, PrintStream err) {
        this.services = services;
        this.state = state;
        this.err = err;
    }

    /**
     * @param socket   the socket asked for, if any
     * @param fallback the socket to listen on when none was asked for and none was inherited
     */
    public int run(Optional<Path> socket, Path fallback) {
        PluginApi api = new PluginApi(services, state, err);
        api.start();
        PluginServer server;
        try {
            Optional<ServerSocketChannel> inherited = socket.isPresent() ? Optional.empty() : inherited();
            if (inherited.isPresent()) {
                server = PluginServer.inherited(inherited.get(), api);
                err.println("pipework driver: serving on the socket systemd listens on; records in " + state.dir());
            } else {
                Path path = socket.orElse(fallback);
                server = PluginServer.bind(path, api);
                err.println("pipework driver: serving on " + path + "; records in " + state.dir());
            }
        } catch (IOException e) {
            throw new PipeworkException("cannot listen: " + e.getMessage());
        }
        PluginServer serving = server;
        // SIGTERM or SIGINT: the call under way finishes (complete, or undone if it fails), then exit 0.
        return Shutdown.process().finishActionOnSignal(serving::stop, serving::run);
    }

    /** A listening socket systemd passed as standard input ({@code StandardInput=socket}), if it did. */
    private static Optional<ServerSocketChannel> inherited() throws IOException {
        // systemd sets LISTEN_FDS for a socket-activated service; without it, standard input is no socket of ours.
        if (System.getenv("LISTEN_FDS") == null) {
            return Optional.empty();
        }
        Channel channel = System.inheritedChannel();
        return channel instanceof ServerSocketChannel server ? Optional.of(server) : Optional.empty();
    }
}

package dev.pipework.guest;

import dev.pipework.sys.CommandRunner;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Picks the way to reach rootful podman. */
public final class Podman {
    /** Where {@code podman system service} (and podman.socket) serves the Docker-compatible API. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/podman/podman.sock");

    private Podman() {
    }

    /** {@link #detect(Path, Map, CommandRunner)} with the default socket and the process environment. */
    public static DockerEngine detect(CommandRunner runner) {
        return detect(DEFAULT_SOCKET, System.getenv(), runner);
    }

    /**
     * The API socket if it accepts a connection, else the {@code podman} CLI if it is on
     * {@code PATH}, else {@link Docker#unavailable()}. A socket file left behind by a service that
     * stopped is passed over for the CLI.
     */
    public static DockerEngine detect(Path socket, Map<String, String> env, CommandRunner runner) {
        if (answers(socket)) {
            return new DockerSocketEngine(socket);
        }
        Optional<Path> cli = DockerCliEngine.findOnPath("podman", env.get("PATH"));
        if (cli.isPresent()) {
            return new DockerCliEngine(cli.get().toString(), DockerCliEngine.DEFAULT_TIMEOUT, runner);
        }
        return Docker.unavailable();
    }

    private static boolean answers(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}

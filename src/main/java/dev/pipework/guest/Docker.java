package dev.pipework.guest;

import dev.pipework.sys.CommandRunner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Picks the way to reach the local Docker engine. */
public final class Docker {

    private Docker() {
    }

    /** {@link #detect(Map, CommandRunner)} with the process environment. */
    public static DockerEngine detect(CommandRunner runner) {
        return detect(System.getenv(), runner);
    }

    /**
     * The API socket ({@code DOCKER_HOST=unix://...} or {@code /var/run/docker.sock}) if it exists,
     * else the {@code docker} CLI if it is on {@code PATH} (which also covers tcp:// and ssh://
     * {@code DOCKER_HOST}s), else {@link #unavailable()}.
     */
    public static DockerEngine detect(Map<String, String> env, CommandRunner runner) {
        Optional<Path> socket = DockerSocketEngine.socketFromEnvironment(env);
        if (socket.isPresent() && Files.exists(socket.get())) {
            return new DockerSocketEngine(socket.get());
        }
        Optional<Path> cli = DockerCliEngine.findOnPath("docker", env.get("PATH"));
        if (cli.isPresent()) {
            return new DockerCliEngine(cli.get().toString(), DockerCliEngine.DEFAULT_TIMEOUT, runner);
        }
        return unavailable();
    }

    /** An engine that is not there: nothing is found, nothing can be created. */
    public static DockerEngine unavailable() {
        return Unavailable.INSTANCE;
    }

    private enum Unavailable implements DockerEngine {
        INSTANCE;

        @Override
        public Optional<DockerContainer> inspect(String nameOrId) {
            return Optional.empty();
        }

        @Override
        public boolean isAvailable() {
            return false;
        }

        @Override
        public java.util.List<String> idsWithLabel(String key, String value) {
            return java.util.List.of();
        }

        @Override
        public java.util.List<String> runningIds() {
            return java.util.List.of();
        }

        @Override
        public String createAndStart(String name, Map<String, Object> createBody) throws DockerException {
            throw new DockerException(endpoint(),
                    "no Docker engine found (no API socket, no docker command on PATH)");
        }

        @Override
        public boolean remove(String nameOrId, boolean force) {
            return false;
        }

        @Override
        public String endpoint() {
            return "none";
        }
    }
}

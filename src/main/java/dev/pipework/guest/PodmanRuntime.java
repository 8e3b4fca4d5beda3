package dev.pipework.guest;

import dev.pipework.model.Runtime;

import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Rootful podman containers by name or ID, through podman's Docker-compatible API socket when it
 * answers, else {@code podman inspect}; see {@link Podman#detect(dev.pipework.sys.CommandRunner)}. The engine is looked for only
 * when a guest is not found before podman in the order, so a Docker container costs nothing more.
 * The busybox {@code dhcp} helper is not started through podman.
 */
public final class PodmanRuntime extends EngineRuntime {
    public static final Runtime RUNTIME = new Runtime("podman", "podman container", false);

    /** What names such a guest, as {@code --help} says it. */
    public static final String NAMED_BY = "a podman container name or ID";

    public PodmanRuntime(Supplier<DockerEngine> engine, Path proc, Consumer<String> warn) {
        super(RUNTIME, "podman", memoized(engine), proc, warn);
    }

    private static Supplier<DockerEngine> memoized(Supplier<DockerEngine> engine) {
        return new Supplier<>() {
            private DockerEngine found;

            public synchronized DockerEngine get() {
                if (found == null) {
                    found = engine.get();
                }
                return found;
            }
        };
    }
}

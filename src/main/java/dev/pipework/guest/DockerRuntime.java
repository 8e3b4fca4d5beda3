package dev.pipework.guest;

import dev.pipework.model.Runtime;

import java.nio.file.Path;
import java.util.function.Consumer;

/** Docker containers by name or ID, through the Engine API on its socket or the docker CLI. */
public final class DockerRuntime extends EngineRuntime {
    public static final Runtime RUNTIME = new Runtime("docker", "Docker container", true);

    /** What names such a guest, as {@code --help} says it. */
    public static final String NAMED_BY = "a Docker container name or ID";

    public DockerRuntime(DockerEngine engine, Path proc, Consumer<String> warn) {
        super(RUNTIME, "Docker", () -> engine, proc, warn);
    }
}

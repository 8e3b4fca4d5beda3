package dev.pipework.guest;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Access to a Docker engine, through its API socket or through the docker CLI. */
public interface DockerEngine {

    /**
     * Looks a container up by name (with or without the leading slash) or by full or
     * abbreviated ID.
     *
     * @return empty when the engine has no such container
     */
    Optional<DockerContainer> inspect(String nameOrId) throws DockerException;

    /** The full IDs of all containers, running or not, that carry this label with this value. */
    List<String> idsWithLabel(String key, String value) throws DockerException;

    /** The full IDs of the running containers. */
    List<String> runningIds() throws DockerException;

    /** Whether this engine looks reachable at all (socket file present, CLI on PATH). */
    boolean isAvailable();

    /**
     * Creates a container from an Engine API {@code POST /containers/create} body
     * (e.g. {@code {"Image":"busybox","Cmd":["sleep","1000"],"HostConfig":{"NetworkMode":"none"}}}),
     * starts it, and returns its full ID. If starting fails the created container is removed.
     *
     * @param name the container name, or null to let the engine pick one
     */
    String createAndStart(String name, Map<String, Object> createBody) throws DockerException;

    /** {@link #createAndStart(String, Map)} with an engine-chosen name. */
    default String createAndStart(Map<String, Object> createBody) throws DockerException {
        return createAndStart(null, createBody);
    }

    /**
     * Removes a container; with {@code force} a running one is killed first.
     *
     * @return false when there was no such container
     */
    boolean remove(String nameOrId, boolean force) throws DockerException;

    /** Human-readable description of where this engine is reached, for messages. */
    String endpoint();
}

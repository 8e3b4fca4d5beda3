package dev.pipework.guest;

import dev.pipework.json.Json;
import dev.pipework.json.JsonException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What pipework needs to know about a container.
 *
 * @param id      the full 64-hex container ID ({@code .Id})
 * @param name    the name exactly as the engine reports it in {@code .Name}, leading slash
 *                included (e.g. {@code "/con1"}); it is recorded verbatim in OVS external-ids,
 *                as {@code docker inspect --format '{{ .Name }}'} would print it
 * @param pid     the PID of the container's init process in the host PID namespace
 *                ({@code .State.Pid}); 0 when not running
 * @param running {@code .State.Running}
 * @param labels  {@code .Config.Labels}, in the engine's order (empty when it has none)
 * @param stoppedBefore whether it may have run and stopped before ({@code .State.FinishedAt} set,
 *                or not known): false only when the engine says it has never stopped
 */
public record DockerContainer(String id, String name, int pid, boolean running, Map<String, String> labels,
                              boolean stoppedBefore) {

    public DockerContainer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    public DockerContainer(String id, String name, int pid, boolean running, Map<String, String> labels) {
        this(id, name, pid, running, labels, true);
    }

    public DockerContainer(String id, String name, int pid, boolean running) {
        this(id, name, pid, running, Map.of());
    }

    /** {@code .State.FinishedAt} of a container that has never stopped: Go's zero time. */
    private static final String NEVER = "0001-01-01T00:00:00Z";

    /**
     * Extracts the fields from a container inspect document ({@code GET /containers/{id}/json},
     * or {@code docker inspect --format '{{json .}}'}).
     *
     * @throws JsonException if a field is missing or of the wrong kind
     */
    public static DockerContainer fromInspect(Map<String, Object> inspect) {
        String id = Json.string(inspect, "Id");
        if (id == null || id.isEmpty()) {
            throw new JsonException("inspect document has no \"Id\"");
        }
        String name = Json.string(inspect, "Name");
        Object state = inspect.get("State");
        if (!(state instanceof Map)) {
            throw new JsonException("inspect document has no \"State\" object");
        }
        Map<String, Object> s = Json.object(state);
        long pid = Json.number(s, "Pid");
        if (pid < 0 || pid > Integer.MAX_VALUE) {
            throw new JsonException("\"State.Pid\" out of range: " + pid);
        }
        boolean stoppedBefore = !(s.get("FinishedAt") instanceof String finished && finished.equals(NEVER));
        return new DockerContainer(id, name == null ? "" : name, (int) pid, Json.bool(s, "Running"), labels(inspect),
                stoppedBefore);
    }

    /** {@code .Config.Labels}: a missing or null object is no labels; a value that is not a string is skipped. */
    private static Map<String, String> labels(Map<String, Object> inspect) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (inspect.get("Config") instanceof Map<?, ?> config && config.get("Labels") instanceof Map<?, ?> found) {
            for (Map.Entry<?, ?> e : found.entrySet()) {
                if (e.getKey() instanceof String key && e.getValue() instanceof String value) {
                    labels.put(key, value);
                }
            }
        }
        return labels;
    }

    /** The name without the engine's leading slash. */
    public String plainName() {
        return name.startsWith("/") ? name.substring(1) : name;
    }

    /** The 12-character abbreviation the docker CLI shows. */
    public String shortId() {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }
}

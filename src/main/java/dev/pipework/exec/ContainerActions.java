package dev.pipework.exec;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the executor needs of a container engine, for the steps that start or remove helper containers. */
public interface ContainerActions {

    /** Creates and starts a container from an Engine API {@code POST /containers/create} body; returns its ID. */
    String start(Map<String, Object> createBody) throws Failed;

    /** Whether the container runs; empty when it no longer exists. */
    Optional<Boolean> running(String id) throws Failed;

    /** The IDs of the containers, running or not, that carry this label with this value. */
    List<String> labelled(String label, String value) throws Failed;

    /** Removes a container, killing it first. */
    void remove(String id) throws Failed;

    /** The engine refused or could not be reached; the message says which and why. */
    final class Failed extends Exception {
        private static final long serialVersionUID = 1L;

        public Failed(String message) {
            super(message);
        }
    }

    /** No engine: every action fails. */
    ContainerActions NONE = new ContainerActions() {
        public String start(Map<String, Object> createBody) throws Failed {
            throw new Failed("no container engine found (no API socket, no docker command on PATH)");
        }

        public Optional<Boolean> running(String id) {
            return Optional.empty();
        }

        public List<String> labelled(String label, String value) {
            return List.of();
        }

        public void remove(String id) throws Failed {
            throw new Failed("no container engine found");
        }
    };
}

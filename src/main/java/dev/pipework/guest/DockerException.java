package dev.pipework.guest;

/**
 * The Docker engine could not be reached, did not answer in time, answered something
 * unintelligible, or refused the request.
 */
public class DockerException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String endpoint;
    private final int status;

    /** A failure that carries no HTTP status (connection, timeout, protocol, CLI). */
    public DockerException(String endpoint, String message, Throwable cause) {
        this(endpoint, -1, message, cause);
    }

    public DockerException(String endpoint, String message) {
        this(endpoint, -1, message, null);
    }

    /** The engine answered with HTTP status {@code status}. */
    public DockerException(String endpoint, int status, String message, Throwable cause) {
        super((endpoint.contains("podman") ? "podman" : "Docker engine") + " (" + endpoint + "): " + message
                + (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())
                        ? " (" + cause.getMessage() + ")" : ""),
                cause);
        this.endpoint = endpoint;
        this.status = status;
    }

    /** Where the engine was reached, e.g. {@code unix:///var/run/docker.sock} or the CLI path. */
    public String endpoint() {
        return endpoint;
    }

    /** The engine's HTTP status, or -1 when the failure was not an HTTP answer. */
    public int status() {
        return status;
    }
}

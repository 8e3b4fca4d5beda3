package dev.pipework.model;

/**
 * A failure the user is told about in one message, with its exit status (1 for every refusal, as
 * the original). Messages that the original script prints are kept verbatim, without the
 * {@code pipework: } prefix that this tool's own messages carry, since scripts may match on them.
 */
public class PipeworkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitStatus;
    private final boolean originalText;

    public PipeworkException(String message) {
        this(message, 1);
    }

    public PipeworkException(String message, int exitStatus) {
        this(message, exitStatus, false);
    }

    private PipeworkException(String message, int exitStatus, boolean originalText) {
        super(message);
        this.exitStatus = exitStatus;
        this.originalText = originalText;
    }

    /** A refusal whose text is the original script's, printed as it is. */
    public static PipeworkException original(String message) {
        return new PipeworkException(message, 1, true);
    }

    public int exitStatus() {
        return exitStatus;
    }

    /** The text as the user sees it. */
    public String display() {
        return originalText ? getMessage() : "pipework: " + getMessage();
    }
}

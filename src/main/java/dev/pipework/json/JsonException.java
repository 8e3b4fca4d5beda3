package dev.pipework.json;

/**
 * Malformed JSON text, a value that cannot be written as JSON, or a document
 * whose shape is not the one the caller expected.
 */
public class JsonException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int offset;

    /** An error that is not tied to a position in some input text. */
    public JsonException(String message) {
        super(message);
        this.offset = -1;
    }

    /** A syntax error at {@code offset} (a char index into the parsed text). */
    public JsonException(String message, int offset) {
        super(message + " at offset " + offset);
        this.offset = offset;
    }

    /** Char index into the parsed text where the error was found, or -1. */
    public int offset() {
        return offset;
    }
}

package dev.pipework.model;

/** A value on the command line that cannot be used; the message names the value and what is expected. */
public class InvalidValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidValueException(String message) {
        super(message);
    }
}

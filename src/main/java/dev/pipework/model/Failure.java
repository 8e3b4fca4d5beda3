package dev.pipework.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a failure means to the user, the one mapping every front end reports through: the message
 * (one line), the command line's exit status and the code of the CNI specification's error object.
 *
 * <table>
 * <caption>failure kinds</caption>
 * <tr><th>kind</th><th>exit status</th><th>CNI code</th></tr>
 * <tr><td>a value that does not validate ({@link InvalidValueException})</td><td>1</td><td>4</td></tr>
 * <tr><td>a refusal or a failed run ({@link PipeworkException})</td><td>its own (1 for refusals)</td><td>100</td></tr>
 * <tr><td>a failure that names its CNI code ({@link Coded})</td><td>1</td><td>its own</td></tr>
 * <tr><td>anything else (a bug, input no check foresaw)</td><td>1</td><td>100</td></tr>
 * </table>
 */
public record Failure(Kind kind, String message, boolean originalText, int exitStatus, int cniCode, String details) {

    /** The specification's code for an invalid network configuration. */
    public static final int CNI_INVALID_CONFIG = 4;
    /** pipework's code for a plumbing command that failed (what it did was undone). */
    public static final int CNI_PLUMBING_FAILED = 100;

    public enum Kind { INVALID_VALUE, REFUSED, CODED, UNEXPECTED }

    /** A failure that carries the code of the CNI error object it is reported as. */
    public interface Coded {
        int cniCode();

        /** The error object's {@code details}, empty for none. */
        String details();
    }

    public static Failure of(Throwable e) {
        if (e instanceof Coded coded) {
            return new Failure(Kind.CODED, text(e, false), false, 1, coded.cniCode(), coded.details());
        }
        if (e instanceof InvalidValueException) {
            return new Failure(Kind.INVALID_VALUE, text(e, false), false, 1, CNI_INVALID_CONFIG, "");
        }
        if (e instanceof PipeworkException p) {
            return new Failure(Kind.REFUSED, text(e, false), p.display().equals(p.getMessage()), p.exitStatus(),
                    CNI_PLUMBING_FAILED, "");
        }
        return new Failure(Kind.UNEXPECTED, text(e, true), false, 1, CNI_PLUMBING_FAILED, "");
    }

    /** The line on stderr: the original's messages as they are, the others after {@code pipework: }. */
    public String line() {
        return originalText ? message : "pipework: " + message;
    }

    /** Whether a stack trace helps (under {@code -v}): only for what no check foresaw. */
    public boolean unexpected() {
        return kind == Kind.UNEXPECTED;
    }

    /** The CNI specification's error object; the exit status of a failed CNI call is always 1. */
    public Map<String, Object> cniError(String cniVersion) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cniVersion", cniVersion);
        m.put("code", (long) cniCode);
        m.put("msg", message);
        if (!details.isEmpty()) {
            m.put("details", details);
        }
        return m;
    }

    /** The message on one line, for a log of one line per event. */
    public String oneLine() {
        return message.replace('\n', ' ').strip();
    }

    /**
     * The message without the {@code pipework: } prefix; the exception's name when it has none. The
     * original's messages of several lines keep them; what no check foresaw is put on one line.
     */
    private static String text(Throwable e, boolean oneLine) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        m = oneLine ? m.strip().replace('\n', ' ') : m;
        return m.startsWith("pipework: ") ? m.substring("pipework: ".length()) : m;
    }
}

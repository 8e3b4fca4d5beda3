package dev.pipework.sys;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a command ended: its exit status and what it printed.
 *
 * @param timedOut the runner stopped it at its bound (its status is then {@link #TIMED_OUT})
 */
public record CommandResult(int exitStatus, String stdout, String stderr, boolean timedOut) {
    /** The exit status of a command stopped at its bound, as {@code timeout(1)} gives. */
    public static final int TIMED_OUT = 124;

    /** A command that ended by itself. */
    public CommandResult(int exitStatus, String stdout, String stderr) {
        this(exitStatus, stdout, stderr, false);
    }

    /** What ovs-vsctl says when no ovsdb-server answers on its socket (stopped, restarting, never started). */
    private static final Pattern OVSDB_DOWN = Pattern.compile("ovs-vsctl: ([^\n]*database connection failed[^\n]*)");

    /**
     * One line naming Open vSwitch's database when this is ovs-vsctl failing to reach it, for then
     * its own words ({@code unix:/var/run/openvswitch/db.sock: database connection failed (No such
     * file or directory)}) name neither the database nor its server.
     */
    public Optional<String> ovsDatabaseDown() {
        if (exitStatus == 0) {
            return Optional.empty();
        }
        Matcher m = OVSDB_DOWN.matcher(stderr);
        return m.find() ? Optional.of(ovsDatabaseDown(m.group(1).strip())) : Optional.empty();
    }

    /** The line saying Open vSwitch's database does not answer, for this cause (its socket and what befell it). */
    public static String ovsDatabaseDown(String cause) {
        return "Open vSwitch's database does not answer (is ovsdb-server running?): " + cause;
    }

    public boolean succeeded() {
        return exitStatus == 0;
    }

    /** The command's own complaint, trimmed to one paragraph, or its exit status when it said nothing. */
    public String reason() {
        Optional<String> ovsdb = ovsDatabaseDown();
        if (ovsdb.isPresent()) {
            return ovsdb.get();
        }
        String text = stderr.isBlank() ? stdout : stderr;
        text = text.strip();
        return text.isEmpty() ? "exit status " + exitStatus : text;
    }
}

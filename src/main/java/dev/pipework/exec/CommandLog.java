package dev.pipework.exec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code -v} log of commands. slf4j is set up only when the log is on: finding its provider
 * costs a run that logs nothing about as much as running one command.
 */
public final class CommandLog {
    private static volatile boolean enabled;
    private static Logger logger;

    private CommandLog() {
    }

    /** Turns the log on (for {@code -v}); slf4j is configured by then. */
    public static void enable() {
        enabled = true;
    }

    /** Turns the log off again. */
    static void disable() {
        enabled = false;
    }

    static boolean enabled() {
        return enabled;
    }

    static void debug(String format, Object... args) {
        if (!enabled) {
            return;
        }
        synchronized (CommandLog.class) {
            if (logger == null) {
                logger = LoggerFactory.getLogger(ProcessCommandRunner.class);
            }
        }
        logger.debug(format, args);
    }
}

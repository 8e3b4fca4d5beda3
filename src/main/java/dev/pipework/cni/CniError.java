package dev.pipework.cni;

import dev.pipework.model.Failure;

/**
 * A failure as the CNI specification reports it: an error object on stdout and a non-zero exit.
 * Codes below 100 are the specification's; 100 and up are pipework's own.
 */
public final class CniError extends RuntimeException implements Failure.Coded {
    private static final long serialVersionUID = 1L;

    /** The specification's: the configuration's {@code cniVersion} is not one this plugin speaks. */
    public static final int INCOMPATIBLE_VERSION = 1;
    /** The specification's: the network configuration is invalid. */
    public static final int INVALID_CONFIG = Failure.CNI_INVALID_CONFIG;
    /** The specification's: the configuration (or a result) could not be decoded. */
    public static final int DECODE = 6;
    /** The specification's: a required environment variable is missing or invalid. */
    public static final int INVALID_ENVIRONMENT = 7;
    /** The specification's: a transient failure, worth retrying. */
    public static final int TRY_AGAIN_LATER = 11;
    /** The specification's (1.1.0, STATUS): the plugin cannot serve ADD now. */
    public static final int NOT_AVAILABLE = 50;
    /** pipework's: a plumbing command failed; what it did was undone. */
    public static final int PLUMBING_FAILED = Failure.CNI_PLUMBING_FAILED;
    /** pipework's: the IPAM plugin failed or gave a result that cannot be used. */
    public static final int IPAM_FAILED = 101;
    /** pipework's: CHECK found the interface, its addresses or routes other than ADD left them. */
    public static final int CHECK_FAILED = 102;
    /** pipework's: the state pipework keeps for DEL and GC could not be written. */
    public static final int STATE_FAILED = 103;

    private final int code;
    private final String details;

    public CniError(int code, String msg) {
        this(code, msg, "");
    }

    public CniError(int code, String msg, String details) {
        super(msg, null, false, false);
        this.code = code;
        this.details = details == null ? "" : details;
    }

    public int code() {
        return code;
    }

    @Override
    public int cniCode() {
        return code;
    }

    @Override
    public String details() {
        return details;
    }
}

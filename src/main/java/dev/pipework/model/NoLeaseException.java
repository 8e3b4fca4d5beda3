package dev.pipework.model;

/**
 * A run that failed because its DHCP client got no lease within the bound (the run undone): for
 * the command line a failed run like any other (exit 1); the CNI plugin reports it as its IPAM's
 * failure (code 101), not as plumbing's.
 */
public class NoLeaseException extends PipeworkException {
    private static final long serialVersionUID = 1L;

    public NoLeaseException(String message, int exitStatus) {
        super(message, exitStatus);
    }
}

package dev.pipework.model;

/** An address family as iproute2 spells its selector flag. */
public enum Family {
    INET("-4", 32),
    INET6("-6", 128);

    private final String ipFlag;
    private final int bits;

    Family(String ipFlag, int bits) {
        this.ipFlag = ipFlag;
        this.bits = bits;
    }

    /** The flag given to {@code ip}: {@code -4} or {@code -6}. */
    public String ipFlag() {
        return ipFlag;
    }

    /** Length of an address of this family, in bits. */
    public int bits() {
        return bits;
    }

    /**
     * Reads the value of {@code -a}. The original passes {@code -<value>} to {@code ip}, so
     * {@code 4}, {@code 6}, {@code inet} and {@code inet6} are the values that ever worked.
     */
    public static Family parse(String token) {
        switch (token) {
            case "4":
            case "inet":
                return INET;
            case "6":
            case "inet6":
                return INET6;
            default:
                throw new InvalidValueException("address family \"" + token
                        + "\" is not valid: expected 4, 6, inet or inet6");
        }
    }
}

package dev.pipework.model;

import java.util.Locale;

/**
 * The mode of a macvlan, as {@code ip link add ... type macvlan mode <mode>} takes it: {@code bridge}
 * (the default; macvlans of one parent reach each other), {@code private} (they do not),
 * {@code vepa} (their traffic goes out to the switch, which may send it back) or {@code passthru}
 * (one macvlan takes the parent over).
 */
public enum MacvlanMode {
    BRIDGE, PRIVATE, VEPA, PASSTHRU;

    /** The word {@code ip} takes. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static MacvlanMode parse(String text) {
        for (MacvlanMode mode : values()) {
            if (mode.word().equals(text)) {
                return mode;
            }
        }
        throw new InvalidValueException("macvlan mode \"" + text + "\" is not valid: expected bridge, private, vepa"
                + " or passthru");
    }
}

package dev.pipework.model;

import java.nio.charset.StandardCharsets;

/** Checks for Linux interface names: 1 to 15 bytes (IFNAMSIZ less the NUL), no '/', no white space, not "." or "..". */
public final class InterfaceName {
    public static final int MAX_BYTES = 15;

    private InterfaceName() {
    }

    public static String check(String what, String name) {
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        boolean bad = length == 0 || length > MAX_BYTES || name.equals(".") || name.equals("..")
                || name.indexOf('/') >= 0 || name.indexOf(':') >= 0
                || name.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c));
        if (bad) {
            throw new InvalidValueException(what + " \"" + name
                    + "\" is not a valid interface name: expected 1 to 15 bytes, without '/', ':' or white space");
        }
        return name;
    }
}

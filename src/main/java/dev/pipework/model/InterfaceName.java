package dev.pipework.model;

/**
 * Checks for Linux interface names: 1 to 15 printable ASCII characters (IFNAMSIZ less the NUL),
 * no '/', ':' or white space, not "." or "..".
 *
 * <p>The kernel takes any other byte too, but such a name cannot be carried through this JVM
 * faithfully: under a C locale its arguments and file names are decoded as ASCII, so
 * {@code ethü} arrives as {@code eth} and two U+FFFD, and byte 0xFF becomes U+FFFD in UTF-8 too.
 * They are refused rather than plumbed under another name.
 */
public final class InterfaceName {
    public static final int MAX_BYTES = 15;

    private InterfaceName() {
    }

    public static String check(String what, String name) {
        if (!valid(name)) {
            throw new InvalidValueException(what + " \"" + shown(name) + "\" is not a valid interface name: expected 1 to 15"
                    + " printable ASCII characters, without '/', ':' or white space");
        }
        return name;
    }

    /** Whether this tool can use the name: see {@link #check}. Host readers skip links whose names are not. */
    public static boolean valid(String name) {
        return !name.isEmpty() && name.length() <= MAX_BYTES && !name.equals(".") && !name.equals("..")
                && name.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '/' && c != ':');
    }

    /** The name on one line: control characters as {@code \xNN}. */
    private static String shown(String name) {
        StringBuilder s = new StringBuilder();
        name.chars().forEach(c -> {
            if (c < ' ' || c == 0x7f) {
                s.append(String.format("\\x%02x", c));
            } else {
                s.appendCodePoint(c);
            }
        });
        return s.toString();
    }
}

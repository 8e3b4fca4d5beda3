package dev.pipework.model;

/**
 * An MTU asked for with {@code --mtu}: 68 (the least IPv4 allows) to 65535. An interface that
 * carries IPv6 needs at least 1280.
 */
public record Mtu(int bytes) {
    public static final int MIN = 68;
    public static final int MAX = 65535;
    public static final int MIN_IPV6 = 1280;

    public Mtu {
        if (bytes < MIN || bytes > MAX) {
            throw new InvalidValueException("MTU \"" + bytes + "\" is not valid: expected " + MIN + " to " + MAX);
        }
    }

    public static Mtu parse(String text) {
        if (!text.matches("[0-9]{1,5}")) {
            throw new InvalidValueException("MTU \"" + text + "\" is not valid: expected a number from " + MIN + " to "
                    + MAX);
        }
        return new Mtu(Integer.parseInt(text));
    }

    @Override
    public String toString() {
        return Integer.toString(bytes);
    }
}

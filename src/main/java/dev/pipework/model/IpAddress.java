package dev.pipework.model;

/** A single address without prefix, such as a gateway. */
public record IpAddress(Family family, byte[] bytes) {

    public IpAddress {
        bytes = bytes.clone();
    }

    public static IpAddress parse(String text) {
        return parse("address", text, text);
    }

    /** Parses {@code text}, which stands in {@code whole} on the command line; messages call it {@code label}. */
    public static IpAddress parse(String label, String text, String whole) {
        byte[] b = IpCidr.parseAddress(label, text, whole);
        return new IpAddress(b.length == 4 ? Family.INET : Family.INET6, b);
    }

    @Override
    public String toString() {
        return IpCidr.format(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpAddress other && java.util.Arrays.equals(other.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bytes);
    }
}

package dev.pipework.model;

import java.math.BigInteger;

/** An interface address with its prefix length, such as {@code 10.0.0.2/24} or {@code fd00::2/64}. */
public record IpCidr(Family family, byte[] bytes, int prefix) {

    public IpCidr {
        bytes = bytes.clone();
    }

    /** Parses {@code <address>/<prefix>}; the prefix is mandatory. */
    public static IpCidr parse(String token) {
        int slash = token.indexOf('/');
        if (slash < 0) {
            throw new InvalidValueException("address \"" + token + "\" has no prefix length: expected <address>/<prefix>");
        }
        byte[] bytes = parseAddress("address", token.substring(0, slash), token);
        Family family = bytes.length == 4 ? Family.INET : Family.INET6;
        String prefixText = token.substring(slash + 1);
        // ASCII decimal without leading zeros: ip reads "024" as octal (20), and Java would read
        // other scripts' digits.
        int prefix = decimal(prefixText, 3);
        if (prefix < 0 || prefix > family.bits()) {
            throw new InvalidValueException("prefix length \"" + prefixText + "\" in \"" + token
                    + "\" is not valid: expected 0 to " + family.bits() + " in decimal, without leading zeros");
        }
        return new IpCidr(family, bytes, prefix);
    }

    /**
     * Parses a literal IPv4 or IPv6 address, without any name lookup. IPv4 must be the dotted quad;
     * IPv6 any form {@code ip} accepts that contains a colon (as inet_pton reads it).
     */
    public static byte[] parseAddress(String label, String text, String whole) {
        String what = label + " \"" + text + "\"" + (text.equals(whole) ? "" : " in \"" + whole + "\"");
        if (text.indexOf(':') >= 0) {
            byte[] b = parse6(text);
            if (b == null) {
                throw new InvalidValueException(what + " is not a valid IPv6 address");
            }
            return b;
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new InvalidValueException(what + " is not a valid IPv4 address: expected four numbers 0-255 separated by dots");
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            // ip reads "070" as octal (56) and "0x10" as hexadecimal; the dotted quad is decimal.
            int octet = decimal(parts[i], 3);
            if (octet < 0 || octet > 255) {
                throw new InvalidValueException(what + " is not a valid IPv4 address: expected four numbers 0-255"
                        + " separated by dots, in decimal without leading zeros");
            }
            b[i] = (byte) octet;
        }
        return b;
    }

    /**
     * IPv6 text as glibc's inet_pton reads it, which is what {@code ip} uses: up to eight groups of
     * one to four hex digits, one {@code ::} for a run of zero groups (at least one), and a dotted
     * quad (decimal, no leading zeros) in the last 32 bits. Null when it is not one.
     */
    static byte[] parse6(String text) {
        byte[] out = new byte[16];
        int n = text.length();
        int i = 0;
        int pos = 0;          // next byte of out
        int gap = -1;         // where "::" stands, in bytes
        if (n == 0) {
            return null;
        }
        if (text.charAt(0) == ':') {
            if (n < 2 || text.charAt(1) != ':') {
                return null;
            }
            i = 1;
        }
        int groupStart = i;
        int value = 0;
        int digits = 0;
        while (i < n) {
            char c = text.charAt(i++);
            int hex = Character.digit(c, 16);
            if (hex >= 0 && c < 0x80) {
                if (++digits > 4) {
                    return null;
                }
                value = (value << 4) | hex;
                continue;
            }
            if (c == ':') {
                groupStart = i;
                if (digits == 0) {
                    if (gap >= 0) {
                        return null;
                    }
                    gap = pos;
                    continue;
                }
                if (i == n) {
                    return null;      // a single trailing colon
                }
                if (pos + 2 > 16) {
                    return null;
                }
                out[pos++] = (byte) (value >> 8);
                out[pos++] = (byte) value;
                digits = 0;
                value = 0;
                continue;
            }
            if (c == '.' && pos + 4 <= 16) {
                byte[] quad = dottedQuad(text.substring(groupStart));
                if (quad == null) {
                    return null;
                }
                System.arraycopy(quad, 0, out, pos, 4);
                pos += 4;
                digits = 0;
                break;
            }
            return null;
        }
        if (digits > 0) {
            if (pos + 2 > 16) {
                return null;
            }
            out[pos++] = (byte) (value >> 8);
            out[pos++] = (byte) value;
        }
        if (gap >= 0) {
            if (pos == 16) {
                return null;          // "::" would stand for no group at all
            }
            int moved = pos - gap;
            System.arraycopy(out, gap, out, 16 - moved, moved);
            java.util.Arrays.fill(out, gap, 16 - moved, (byte) 0);
            pos = 16;
        }
        return pos == 16 ? out : null;
    }

    /** The strict dotted quad of inet_pton (IPv4 in IPv6): four decimal numbers 0-255, no leading zeros. */
    private static byte[] dottedQuad(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] b = new byte[4];
        for (int k = 0; k < 4; k++) {
            int octet = decimal(parts[k], 3);
            if (octet < 0 || octet > 255) {
                return null;
            }
            b[k] = (byte) octet;
        }
        return b;
    }

    /**
     * A number of at most {@code maxDigits} ASCII digits without a leading zero ({@code 0} itself
     * is one), or -1.
     */
    static int decimal(String text, int maxDigits) {
        if (text.isEmpty() || text.length() > maxDigits || (text.length() > 1 && text.charAt(0) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    public String address() {
        return format(bytes);
    }

    /** The broadcast address of an IPv4 subnet, as busybox {@code ipcalc -b} computes it. */
    public String broadcast() {
        if (family != Family.INET) {
            throw new IllegalStateException("IPv6 has no broadcast");
        }
        byte[] b = bytes.clone();
        for (int bit = prefix; bit < 32; bit++) {
            b[bit / 8] |= (byte) (0x80 >>> (bit % 8));
        }
        return format(b);
    }

    /** Whether {@code other} (same family) lies in this subnet. */
    public boolean contains(byte[] other) {
        if (other.length != bytes.length) {
            return false;
        }
        BigInteger mask = BigInteger.ONE.shiftLeft(family.bits()).subtract(BigInteger.ONE)
                .shiftRight(prefix).not();
        BigInteger a = new BigInteger(1, bytes).and(mask);
        BigInteger o = new BigInteger(1, other).and(mask);
        return a.equals(o);
    }

    /** True for {@code 0/0} and {@code 0.0.0.0/0}: the original's way to ask for no address. */
    public boolean isUnspecifiedDefault() {
        if (prefix != 0) {
            return false;
        }
        for (byte x : bytes) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    public static String format(byte[] b) {
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        // Compressed text as iproute2 prints it (glibc's inet_ntop).
        return compress6(b);
    }

    private static String compress6(byte[] b) {
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > bestLen && j - i >= 2) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            // inet_ntop writes an IPv4-compatible (::a.b.c.d) or IPv4-mapped (::ffff:a.b.c.d) address
            // with its last 32 bits as a dotted quad.
            if (i == 6 && bestStart == 0 && (bestLen == 6 || (bestLen == 5 && words[5] == 0xffff))) {
                if (s.charAt(s.length() - 1) != ':') {
                    s.append(':');
                }
                s.append(format(java.util.Arrays.copyOfRange(b, 12, 16)));
                break;
            }
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(words[i]));
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return address() + "/" + prefix;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpCidr other && other.family == family && other.prefix == prefix
                && java.util.Arrays.equals(other.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bytes) * 31 + prefix;
    }
}

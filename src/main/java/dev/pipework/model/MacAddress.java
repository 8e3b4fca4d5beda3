package dev.pipework.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** A unicast Ethernet address, kept in the lower-case colon form the kernel prints. */
public record MacAddress(String text) {

    /** A MAC as the guest interface will get it: well formed, unicast and not all zeros. */
    public static MacAddress parse(String token) {
        MacAddress mac = parseAny(token);
        if ((Integer.parseInt(mac.text.substring(0, 2), 16) & 1) != 0) {
            throw new InvalidValueException("MAC address \"" + token
                    + "\" is multicast (lowest bit of the first octet set): expected a unicast address");
        }
        // The kernel refuses 00:00:00:00:00:00 on an Ethernet link, but only once the link exists.
        if (mac.text.equals("00:00:00:00:00:00")) {
            throw new InvalidValueException("MAC address \"" + token
                    + "\" is all zeros: expected a unicast address");
        }
        return mac;
    }

    /** A well-formed MAC of any kind, as a host interface may be named by ({@code mac:<hwaddr>}). */
    public static MacAddress parseAny(String token) {
        if (!token.matches("[0-9A-Fa-f]{1,2}(:[0-9A-Fa-f]{1,2}){5}")) {
            throw new InvalidValueException("MAC address \"" + token
                    + "\" is not valid: expected six hexadecimal octets such as 02:42:ac:11:00:02");
        }
        StringBuilder s = new StringBuilder();
        for (String octet : token.split(":")) {
            if (s.length() > 0) {
                s.append(':');
            }
            s.append(octet.length() == 1 ? "0" + octet : octet);
        }
        return new MacAddress(s.toString().toLowerCase(Locale.ROOT));
    }

    /**
     * The original's {@code U:<text>} form: {@code 02:} followed by the first five bytes of the MD5
     * of the text and a newline (the script feeds it through {@code echo}). An empty text is refused:
     * it is what an unset shell variable gives, and would give every guest the same MAC.
     */
    public static MacAddress fromUniqueText(String text) {
        if (text.isEmpty()) {
            throw new InvalidValueException("U: needs a name after it (U:<name>): an empty name gives every"
                    + " container the same MAC");
        }
        try {
            byte[] md5 = MessageDigest.getInstance("MD5").digest((text + "\n").getBytes(StandardCharsets.UTF_8));
            HexFormat hex = HexFormat.ofDelimiter(":");
            return new MacAddress("02:" + hex.formatHex(md5, 0, 5));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return text;
    }
}

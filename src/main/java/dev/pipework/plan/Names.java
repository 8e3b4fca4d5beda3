package dev.pipework.plan;

import dev.pipework.model.Sha256;

import java.nio.charset.StandardCharsets;

/**
 * Interface names. The original names the host end of a veth {@code v<cif>pl<pid>} and the guest
 * end, before its rename, {@code v<cif>pg<pid>}. Linux refuses names over 15 bytes, which the
 * original reaches with a long {@code -i} or a large PID; such names are shortened here to
 * {@code v} + the first 10 hex digits of SHA-256 of {@code <cif>/<number>} + {@code pl} or {@code pg}
 * (13 bytes), so the same guest and interface always give the same name.
 */
public final class Names {
    public static final int MAX = 15;

    private Names() {
    }

    public static String vethHostEnd(String containerInterface, long number) {
        return veth(containerInterface, number, "pl");
    }

    public static String vethGuestEnd(String containerInterface, long number) {
        return veth(containerInterface, number, "pg");
    }

    private static String veth(String containerInterface, long number, String side) {
        String name = "v" + containerInterface + side + number;
        if (name.getBytes(StandardCharsets.UTF_8).length <= MAX) {
            return name;
        }
        return "v" + shortHash(containerInterface + "/" + number) + side;
    }

    static String shortHash(String text) {
        return Sha256.hex(text, 5);
    }
}

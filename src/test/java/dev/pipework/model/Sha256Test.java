package dev.pipework.model;

import dev.pipework.it.support.Tries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(Tries.class)
class Sha256Test {

    @Test
    void knownAnswers() {
        // FIPS 180-4's examples: "abc" and the 56-byte two-block message; the empty message.
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex("abc"));
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex(""));
        assertEquals("ba7816bf8f", Sha256.hex("abc", 5));
    }

    /** Every length around the block and padding boundaries (55, 56, 63, 64, 119, 120 bytes), with random bytes. */
    static Stream<Arguments> messages() {
        return Tries.of("sha256", 400, r -> {
            byte[] message = new byte[r.nextInt(200)];
            r.nextBytes(message);
            return message;
        });
    }

    @ParameterizedTest
    @MethodSource("messages")
    void sameAsTheJdk(byte[] message) throws Exception {
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(message), Sha256.digest(message),
                HexFormat.of().formatHex(message));
    }

    private static String hex(String text) {
        return HexFormat.of().formatHex(Sha256.digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}

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

    /**
     * Random bytes of random lengths up to three blocks, and of each length at the padding's edges:
     * 55 bytes are the most one block holds with the length after them, 56 to 63 need a second.
     */
    static Stream<Arguments> messages() {
        java.util.Random edge = new java.util.Random(Tries.seed());
        Stream<Arguments> edges = java.util.stream.IntStream.of(0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000)
                .mapToObj(n -> {
                    byte[] message = new byte[n];
                    edge.nextBytes(message);
                    return Arguments.of((Object) message);
                });
        return Stream.concat(edges, Tries.of("sha256", 400, r -> {
            byte[] message = new byte[r.nextInt(200)];
            r.nextBytes(message);
            return message;
        }));
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

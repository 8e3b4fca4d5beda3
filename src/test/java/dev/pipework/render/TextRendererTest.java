package dev.pipework.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The status table's ID column: an engine's ID by its 12 digits, any other ID whole. */
class TextRendererTest {
    @Test
    void onlyAnEnginesIdIsShortened() {
        String engine = "0123456789ab".repeat(5) + "cdef";
        assertEquals("0123456789ab", TextRenderer.shortId(engine));
        assertEquals("k8s-pod-web-0123456789", TextRenderer.shortId("k8s-pod-web-0123456789"));
        assertEquals("ctr-web", TextRenderer.shortId("ctr-web"));
        // 64 characters, not all hex digits: another runtime's, whole.
        String notHex = "x" + engine.substring(1);
        assertEquals(notHex, TextRenderer.shortId(notHex));
    }
}

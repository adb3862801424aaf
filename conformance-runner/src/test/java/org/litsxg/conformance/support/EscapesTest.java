package org.litsxg.conformance.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EscapesTest {

    @Test
    void decodesEscapesIntoWireBytes() {
        assertArrayEquals(new byte[] {'a', '\t', '\r', '\n', '\\', (byte) 0xFF, (byte) 0xC2, (byte) 0x85},
                Escapes.decode("a\\t\\r\\n\\\\\\xFF\\u{85}"));
        assertArrayEquals("é ✓".getBytes(StandardCharsets.UTF_8), Escapes.decode("é ✓"));
    }

    @Test
    void expandsRepeatsBeforeEscapes() {
        assertEquals("SEND " + "a".repeat(33) + " hi", Escapes.text("SEND <33 × a> hi"));
        assertEquals(128, Escapes.decode("<64 × é>").length);
    }

    @Test
    void rendersBytesForHumans() {
        assertEquals("PING\\r", Transcript.render("PING\r".getBytes(StandardCharsets.UTF_8)));
        assertEquals("A\\xFFB", Transcript.render(new byte[] {'A', (byte) 0xFF, 'B'}));
    }
}

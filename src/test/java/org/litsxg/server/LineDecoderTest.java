package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LineDecoderTest {
    private final LineDecoder decoder = new LineDecoder();

    private String decode(byte[] b) {
        return decoder.decode(b, 0, b.length);
    }

    @Test
    void decodesUtf8AndKeepsTab() {
        String text = "SEND bob h\u00e9llo\t\u2603 \uD83D\uDE00";
        assertEquals(text, decode(text.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "c0af",         // overlong '/'
        "e080af",       // overlong, three bytes
        "eda080",       // lone surrogate U+D800
        "e282",         // truncated sequence
        "ff",           // never valid
        "f4908080",     // beyond U+10FFFF
        "80"            // lone continuation byte
    })
    void rejectsInvalidUtf8(String hex) {
        assertNull(decode(hex(hex)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"00", "01", "0d", "1b", "7f", "c280", "c29f"})
    void rejectsControlCharactersOtherThanTab(String hex) {
        byte[] b = hex("41" + hex + "42");
        assertNull(decode(b));
    }

    @Test
    void acceptsNbspJustPastTheC1Range() {
        assertEquals("a\u00a0b", decode(hex("61c2a062")));
    }

    private static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}

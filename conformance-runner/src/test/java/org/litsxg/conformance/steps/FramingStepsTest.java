package org.litsxg.conformance.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FramingStepsTest {

    private static List<String> parts(String text) {
        return FramingSteps.splitInside(text.getBytes(StandardCharsets.UTF_8)).stream()
                .map(b -> org.litsxg.conformance.support.Transcript.render(b)).toList();
    }

    @Test
    void cutsInsideEveryMultiByteCharacterAndBetweenCrAndLf() {
        // é is 2 bytes (1 cut), ✓ 3 (2 cuts), 𝄞 4 (3 cuts); CR LF one cut.
        List<byte[]> cut = FramingSteps.splitInside("a é✓𝄞\r\nb\r\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(1 + 2 + 3 + 2 + 1, cut.size(), parts("a é✓𝄞\r\nb\r\n").toString());
        StringBuilder joined = new StringBuilder();
        for (byte[] b : cut) {
            joined.append(new String(b, StandardCharsets.ISO_8859_1));
        }
        assertEquals(new String("a é✓𝄞\r\nb\r\n".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1),
                joined.toString());
        assertEquals(1, FramingSteps.splitInside("PING\n".getBytes(StandardCharsets.US_ASCII)).size());
    }

    @Test
    void findsAVersionInFreeTextButNotABareNumber() {
        for (String v : List.of("litsxg-py 1.1 knows AUTH, SEND, PING and QUIT", "litsxg/1.1", "server v1.2",
                "protocol version 2", "(Litsxg 1.0)")) {
            assertTrue(FramingSteps.VERSION.matcher(v).find(), v);
        }
        for (String t : List.of("", "after 30.0 s", "not in the protocol", "no VERSION command",
                "expected: SEND <name> <text>", "invalid UTF-8 at byte 12.", "max 4096 bytes", "8-128 bytes",
                "UTF-8/16", "bob has 1000 messages")) {
            assertFalse(FramingSteps.VERSION.matcher(t).find(), t);
        }
    }
}

package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineFramerTest {
    private final LineFramer framer = new LineFramer();
    private final List<String> lines = new ArrayList<>();
    private boolean tooLong;
    private int stopAfter = Integer.MAX_VALUE;

    private final LineFramer.Handler handler = new LineFramer.Handler() {
        @Override
        public boolean onLine(byte[] bytes, int offset, int length) {
            lines.add(new String(bytes, offset, length, StandardCharsets.ISO_8859_1));
            return lines.size() < stopAfter;
        }

        @Override
        public void onLineTooLong() {
            tooLong = true;
        }
    };

    private ByteBuffer feed(String s) {
        ByteBuffer in = ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
        framer.feed(in, handler);
        return in;
    }

    @Test
    void splitsOnLfAndDropsOneCrBeforeIt() {
        feed("PING\nQUIT\r\nA\r\r\n\n");
        assertEquals(List.of("PING", "QUIT", "A\r", ""), lines);
    }

    @Test
    void joinsLinesSplitAcrossReadsOneByteAtATime() {
        for (char c : "AUTH alice secret123\r\nPING\n".toCharArray()) {
            feed(String.valueOf(c));
        }
        assertEquals(List.of("AUTH alice secret123", "PING"), lines);
    }

    @Test
    void acceptsExactly4096BytesWithLfOrCrlf() {
        String max = "x".repeat(LineFramer.MAX_LINE_BYTES);
        feed(max + "\n");
        feed(max.substring(0, 100));
        feed(max.substring(100) + "\r");
        feed("\n");
        assertEquals(2, lines.size());
        assertEquals(4096, lines.get(1).length());
        assertFalse(tooLong);
    }

    @Test
    void rejects4097BytesInOneRead() {
        feed("x".repeat(LineFramer.MAX_LINE_BYTES + 1) + "\n");
        assertTrue(tooLong);
        assertEquals(List.of(), lines);
    }

    @Test
    void rejectsAnUnterminatedLineAsSoonAsItCannotFit() {
        feed("x".repeat(LineFramer.MAX_LINE_BYTES));
        assertFalse(tooLong);
        feed("y");
        assertTrue(tooLong);
        feed("PING\n");
        assertEquals(List.of(), lines, "nothing is framed after a too-long line");
    }

    @Test
    void a4096ByteLinePlusCrWaitsForItsLf() {
        feed("x".repeat(LineFramer.MAX_LINE_BYTES) + "\r");
        assertFalse(tooLong);
        feed("z");
        assertTrue(tooLong, "a CR not followed by LF counts as content");
    }

    @Test
    void stopsWhenTheHandlerSaysSoAndLeavesTheRest() {
        stopAfter = 1;
        ByteBuffer in = feed("AUTH a b\nPING\n");
        assertEquals(List.of("AUTH a b"), lines);
        assertEquals("PING\n", StandardCharsets.ISO_8859_1.decode(in).toString());
    }

    @Test
    void discardsAnUnterminatedRemainder() {
        feed("PIN");
        framer.discardPartial();
        feed("G\n");
        assertEquals(List.of("G"), lines);
    }
}

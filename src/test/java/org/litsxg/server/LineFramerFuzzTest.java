package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Coverage-guided fuzzing of {@link LineFramer}: the same byte stream is fed in one chunk, one
 * byte at a time, and in fuzzer-chosen chunks (heap, direct and offset buffers, with a handler
 * that sometimes stops framing, whose rest is fed again as {@link Connection} does), and every
 * way must frame exactly what an independent model of the brief's framing rule frames. The model
 * cuts the stream itself, so equality means the emitted lines, each with its LF or CRLF, are the
 * consumed prefix of the stream, whatever the split; every emitted line is also checked to hold
 * at most 4096 bytes and no LF, and too-long to be reported once, iff a line exceeds the limit.
 *
 * <p>Input layout (so that seeds stay readable): byte 0 = flags (bits 0-1 buffer kind, bit 2 a
 * handler that stops), byte 1 = split seed, bytes 2-3 = length of a run of {@code 'x'} inserted
 * at the position given by byte 4 (lets short inputs make lines longer than the limit), then
 * the stream itself. Regression mode runs the files under {@code LineFramerFuzzTestInputs/};
 * see README "Fuzzing" for the long run.
 */
class LineFramerFuzzTest {
    private static final int MAX = LineFramer.MAX_LINE_BYTES;

    /** What framing a stream must yield: its lines and whether a line was too long. */
    record Framed(List<byte[]> lines, boolean tooLong) {
        void assertSameAs(Framed expected, String how) {
            assertEquals(expected.tooLong, tooLong, how + ": too-long reported iff a line exceeds the limit");
            assertEquals(expected.lines.size(), lines.size(), how + ": number of lines");
            for (int i = 0; i < lines.size(); i++) {
                assertArrayEquals(expected.lines.get(i), lines.get(i), how + ": line " + i);
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void framingIsSplitIndependentAndMatchesTheModel(byte[] input) {
        int flags = at(input, 0);
        int seed = at(input, 1);
        int pad = ((at(input, 2) << 8) | at(input, 3)) & 0x1FFF;
        byte[] stream = stream(input, pad, at(input, 4));

        Framed expected = model(stream);
        for (byte[] line : expected.lines) {
            assertTrue(line.length <= MAX, "model lines fit the limit");
        }
        feed(stream, new int[] {stream.length}, 0, false, new Random(seed)).assertSameAs(expected, "one chunk");
        int[] ones = new int[stream.length];
        Arrays.fill(ones, 1);
        feed(stream, ones, flags & 3, false, new Random(seed)).assertSameAs(expected, "byte by byte");
        Random random = new Random(seed * 31L + flags);
        feed(stream, randomSplits(stream.length, random), flags & 3, (flags & 4) != 0, random)
                .assertSameAs(expected, "fuzzed chunks");
        feed(stream, splitsAround(stream, MAX), flags & 3, false, random).assertSameAs(expected, "around the limit");
    }

    private static int at(byte[] input, int i) {
        return i < input.length ? input[i] & 0xFF : 0;
    }

    private static byte[] stream(byte[] input, int pad, int padPosition) {
        byte[] body = input.length > 5 ? Arrays.copyOfRange(input, 5, input.length) : new byte[0];
        int at = body.length * padPosition / 256;
        byte[] out = new byte[body.length + pad];
        System.arraycopy(body, 0, out, 0, at);
        Arrays.fill(out, at, at + pad, (byte) 'x');
        System.arraycopy(body, at, out, at + pad, body.length - at);
        return out;
    }

    /**
     * The brief's rule, written independently of the framer: lines end at LF, one CR before it
     * is dropped, a line over {@code MAX} bytes is too long and ends framing; an unterminated
     * rest is too long as soon as no terminator can make it fit (more than MAX bytes, unless
     * the MAX+1st is a CR that an LF may still follow).
     */
    static Framed model(byte[] stream) {
        List<byte[]> lines = new ArrayList<>();
        int pos = 0;
        while (true) {
            int lf = pos;
            while (lf < stream.length && stream[lf] != '\n') {
                lf++;
            }
            if (lf == stream.length) {
                int open = stream.length - pos;
                boolean doomed = open > MAX + 1 || (open == MAX + 1 && stream[stream.length - 1] != '\r');
                return new Framed(lines, doomed);
            }
            int end = lf > pos && stream[lf - 1] == '\r' ? lf - 1 : lf;
            if (end - pos > MAX) {
                return new Framed(lines, true);
            }
            lines.add(Arrays.copyOfRange(stream, pos, end));
            pos = lf + 1;
        }
    }

    /** Feeds {@code stream} in chunks of the given sizes (the last chunk takes any rest). */
    private static Framed feed(byte[] stream, int[] sizes, int bufferKind, boolean stopping, Random random) {
        LineFramer framer = new LineFramer();
        List<byte[]> lines = new ArrayList<>();
        boolean[] tooLong = {false};
        LineFramer.Handler handler = new LineFramer.Handler() {
            @Override
            public boolean onLine(byte[] bytes, int offset, int length) {
                assertFalse(tooLong[0], "no line after too-long");
                assertTrue(length <= MAX, "an emitted line holds at most " + MAX + " bytes");
                byte[] line = Arrays.copyOfRange(bytes, offset, offset + length);
                for (byte b : line) {
                    assertTrue(b != '\n', "an emitted line holds no LF");
                }
                lines.add(line);
                return !stopping || random.nextInt(3) != 0;
            }

            @Override
            public void onLineTooLong() {
                assertFalse(tooLong[0], "too-long is reported once");
                tooLong[0] = true;
            }
        };
        int pos = 0;
        for (int i = 0; i < sizes.length && pos < stream.length; i++) {
            int n = i == sizes.length - 1 ? stream.length - pos : Math.min(sizes[i], stream.length - pos);
            ByteBuffer in = buffer(stream, pos, n, bufferKind == 3 ? random.nextInt(3) : bufferKind);
            pos += n;
            framer.feed(in, handler);
            // a stopped handler leaves the rest, which the connection copies and feeds again
            while (in.hasRemaining()) {
                assertFalse(tooLong[0], "framing stops consuming only when the handler says so");
                ByteBuffer rest = ByteBuffer.allocate(in.remaining());
                rest.put(in).flip();
                in = rest;
                framer.feed(in, handler);
            }
        }
        return new Framed(lines, tooLong[0]);
    }

    /** 0 heap, 1 direct (no array), 2 heap slice with a non-zero array offset. */
    private static ByteBuffer buffer(byte[] stream, int from, int length, int kind) {
        switch (kind) {
            case 1: {
                ByteBuffer direct = ByteBuffer.allocateDirect(length);
                direct.put(stream, from, length).flip();
                return direct;
            }
            case 2: {
                byte[] wide = new byte[length + 7];
                System.arraycopy(stream, from, wide, 7, length);
                return ByteBuffer.wrap(wide, 3, length + 4).position(7).slice();
            }
            default:
                return ByteBuffer.wrap(stream, from, length);
        }
    }

    private static int[] randomSplits(int length, Random random) {
        List<Integer> sizes = new ArrayList<>();
        int total = 0;
        while (total < length) {
            int n = switch (random.nextInt(4)) {
                case 0 -> 1 + random.nextInt(3);
                case 1 -> 1 + random.nextInt(64);
                case 2 -> 1 + random.nextInt(MAX + 8);
                default -> 1 + random.nextInt(65_536);
            };
            sizes.add(n);
            total += n;
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Chunk boundaries just before, at and after MAX bytes into every line. */
    private static int[] splitsAround(byte[] stream, int max) {
        List<Integer> cuts = new ArrayList<>();
        int lineStart = 0;
        for (int i = 0; i <= stream.length; i++) {
            if (i == stream.length || stream[i] == '\n') {
                for (int d = -1; d <= 2; d++) {
                    int cut = lineStart + max + d;
                    if (cut > lineStart && cut <= i) {
                        cuts.add(cut);
                    }
                }
                lineStart = i + 1;
            }
        }
        List<Integer> sizes = new ArrayList<>();
        int prev = 0;
        for (int cut : cuts) {
            if (cut > prev) {
                sizes.add(cut - prev);
                prev = cut;
            }
        }
        sizes.add(Math.max(1, stream.length - prev));
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }
}

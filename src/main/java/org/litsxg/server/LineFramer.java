package org.litsxg.server;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Splits a byte stream into LF-terminated lines (brief, "Framing and encoding").
 *
 * <p>A line holds at most {@link #MAX_LINE_BYTES} bytes, not counting its terminator; one CR
 * directly before the LF is dropped. Bytes of a line that spans several reads are kept in a
 * per-connection array allocated only while such a line is open, so an idle connection costs
 * no line buffer. Not thread-safe: one framer belongs to one connection on the selector thread.
 */
final class LineFramer {
    /** Longest line content in bytes, excluding the LF or CRLF terminator. */
    static final int MAX_LINE_BYTES = 4096;

    /** Receives framed lines. */
    interface Handler {
        /**
         * One complete line, terminator and trailing CR removed. The array is only valid during
         * the call. Returns false to stop framing (the rest stays in the input buffer).
         */
        boolean onLine(byte[] bytes, int offset, int length);

        /** The current line exceeds {@link #MAX_LINE_BYTES}; framing stops for good. */
        void onLineTooLong();
    }

    private byte[] partial;
    private int partialLength;
    private boolean failed;

    /**
     * Consumes bytes from {@code in} (between position and limit) and hands each complete line
     * to {@code handler} until the input is used up, the handler returns false, or a line is
     * too long. Never blocks.
     */
    void feed(ByteBuffer in, Handler handler) {
        if (failed) {
            in.position(in.limit());
            return;
        }
        while (in.hasRemaining()) {
            int start = in.position();
            int lf = indexOfLf(in, start, in.limit());
            if (lf < 0) {
                int count = in.limit() - start;
                if (!tooLong(partialLength + count, lastByte(in, in.limit()))) {
                    append(in, start, count);
                    in.position(in.limit());
                    return;
                }
                failed = true;
                in.position(in.limit());
                partial = null;
                handler.onLineTooLong();
                return;
            }
            in.position(lf + 1);
            boolean more;
            if (partialLength == 0 && in.hasArray()) {
                int length = stripCr(in.array(), in.arrayOffset() + start, lf - start);
                if (length > MAX_LINE_BYTES) {
                    failTooLong(in, handler);
                    return;
                }
                more = handler.onLine(in.array(), in.arrayOffset() + start, length);
            } else {
                append(in, start, lf - start);
                int length = stripCr(partial, 0, partialLength);
                if (length > MAX_LINE_BYTES) {
                    failTooLong(in, handler);
                    return;
                }
                byte[] line = partial;
                partial = null;
                partialLength = 0;
                more = handler.onLine(line, 0, length);
            }
            if (!more) {
                return;
            }
        }
    }

    /** Discards an unterminated line (end of stream: it gets no reply). */
    void discardPartial() {
        partial = null;
        partialLength = 0;
    }

    private void failTooLong(ByteBuffer in, Handler handler) {
        failed = true;
        partial = null;
        partialLength = 0;
        in.position(in.limit());
        handler.onLineTooLong();
    }

    /** An open line of {@code count} bytes is too long unless it is 4096 bytes plus a CR. */
    private static boolean tooLong(int count, int lastByte) {
        return count > MAX_LINE_BYTES + 1 || (count == MAX_LINE_BYTES + 1 && lastByte != '\r');
    }

    private int lastByte(ByteBuffer in, int limit) {
        if (limit > in.position()) {
            return in.get(limit - 1);
        }
        return partialLength > 0 ? partial[partialLength - 1] : -1;
    }

    private static int stripCr(byte[] bytes, int offset, int length) {
        return length > 0 && bytes[offset + length - 1] == '\r' ? length - 1 : length;
    }

    private static int indexOfLf(ByteBuffer in, int from, int to) {
        for (int i = from; i < to; i++) {
            if (in.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void append(ByteBuffer in, int start, int count) {
        int needed = partialLength + count;
        if (partial == null) {
            partial = new byte[Math.max(64, needed)];
        } else if (partial.length < needed) {
            partial = Arrays.copyOf(partial, Math.max(needed, Math.min(partial.length * 2, MAX_LINE_BYTES + 2)));
        }
        for (int i = 0; i < count; i++) {
            partial[partialLength + i] = in.get(start + i);
        }
        partialLength = needed;
    }
}

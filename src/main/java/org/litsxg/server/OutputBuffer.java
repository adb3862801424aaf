package org.litsxg.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One connection's output not yet taken by the operating system: whole lines appended at the
 * end, written from the front. The array exists only while something is pending (one larger
 * than {@link #KEEP_BYTES} is let go once it is empty), so thousands of idle connections hold
 * no output memory. Not thread-safe: the selector thread's. Never blocks.
 */
final class OutputBuffer {
    /** An emptied array up to this size, in bytes, is kept for the next output. */
    static final int KEEP_BYTES = 16 * 1024;

    private byte[] out;
    private int start;
    private int end;
    /**
     * Whether the last byte the socket took ended a line. Kept apart from {@code start}: moving
     * the pending bytes to the front of the array (or into a bigger one) sets {@code start} to 0
     * while the socket may have taken half of the first pending line.
     */
    private boolean atLineStart = true;

    /** Bytes appended and not yet written. */
    int pending() {
        return end - start;
    }

    void append(byte[] bytes) {
        reserve(bytes.length);
        System.arraycopy(bytes, 0, out, end, bytes.length);
        end += bytes.length;
    }

    /** Makes room for {@code more} bytes after {@code end}. */
    private void reserve(int more) {
        if (out == null) {
            out = new byte[Math.max(256, more)];
        } else if (end + more > out.length) {
            int size = pending();
            if (size + more <= out.length && start > 0) {
                System.arraycopy(out, start, out, 0, size);
            } else {
                byte[] bigger = new byte[Math.max(out.length * 2, size + more)];
                System.arraycopy(out, start, bigger, 0, size);
                out = bigger;
            }
            start = 0;
            end = size;
        }
    }

    /** Writes as much as {@code channel} takes now (non-blocking), if anything is pending. */
    void writeTo(SocketChannel channel) throws IOException {
        if (pending() == 0) {
            return;
        }
        int written = channel.write(ByteBuffer.wrap(out, start, pending()));
        start += written;
        if (written > 0) {
            atLineStart = out[start - 1] == '\n';
        }
        if (pending() == 0) {
            start = 0;
            end = 0;
            if (out.length > KEEP_BYTES) {
                out = null;
            }
        }
    }

    /**
     * Forgets everything pending and writes {@code last} instead, once and without waiting, where
     * it starts a line of its own: never glued to half a line the socket took part of. Best
     * effort: a reader that has stopped reading may not have room for it.
     */
    void discardWithLastLine(SocketChannel channel, byte[] last) {
        boolean lineStart = atLineStart;
        discard();
        if (lineStart) {
            try {
                channel.write(ByteBuffer.wrap(last));
            } catch (IOException e) {
                // the line may not fit, or the reader is gone: it is dropped either way
            }
        }
    }

    /** Forgets everything pending and lets the array go. */
    void discard() {
        out = null;
        start = 0;
        end = 0;
    }
}

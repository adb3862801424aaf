package org.litsxg.bench;

import java.nio.charset.StandardCharsets;

/**
 * The send time a message text carries: {@value #DIGITS} lower-case hexadecimal digits of the
 * nanoseconds since the generator's base time, written when the line is put into its sender's
 * output and read back from the recipient's copy, so that latency is measured the same way
 * for every server.
 */
final class LatencyStamp {
    /** Digits of a stamp. */
    static final int DIGITS = 16;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private LatencyStamp() {
    }

    /** Writes {@code stamp} at {@code out[at..at+DIGITS)}. */
    static void write(byte[] out, int at, long stamp) {
        for (int i = DIGITS - 1; i >= 0; i--) {
            out[at + i] = HEX[(int) (stamp & 0xf)];
            stamp >>>= 4;
        }
    }

    /** Reads the stamp at {@code b[off..off+DIGITS)}. */
    static long parse(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < DIGITS; i++) {
            int d = b[off + i];
            v = (v << 4) | (d <= '9' ? d - '0' : d - 'a' + 10);
        }
        return v;
    }
}

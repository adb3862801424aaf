package org.litsxg.conformance.explore;

import java.nio.charset.StandardCharsets;

/** Something the server did, as a client connection saw it. */
sealed interface Obs permits Obs.Got, Obs.Ended {
    Conn conn();

    long seq();

    long at();

    /** A line (without its LF). */
    record Got(Conn conn, long seq, long at, byte[] raw) implements Obs {
        boolean isMsg() {
            return raw.length >= 4 && raw[0] == 'M' && raw[1] == 'S' && raw[2] == 'G' && raw[3] == ' ';
        }

        String text() {
            return new String(raw, StandardCharsets.UTF_8);
        }
    }

    /** The end of the connection: end of stream, or a reset; {@code tail} an unterminated remainder. */
    record Ended(Conn conn, long seq, long at, boolean reset, byte[] tail) implements Obs {
    }
}

package org.litsxg.server;

import java.nio.charset.StandardCharsets;

/**
 * The bytes of every line the server writes (brief, "Replies"), LF included: the fixed replies,
 * each encoded once, and {@code MSG} lines. The only place that turns wire text into bytes.
 * Stateless and thread-safe.
 */
final class WireLines {
    /**
     * The longest {@code MSG} line, LF included: a 32-character sender and the longest text a
     * 4096-byte {@code SEND} to a 1-character name carries.
     */
    static final int MAX_MSG_LINE_BYTES = "MSG ".length() + CommandParser.MAX_NAME_CHARS + 1
            + (LineFramer.MAX_LINE_BYTES - "SEND a ".length()) + 1;

    /** Every reply and error line of the wire contract, byte for byte. */
    enum Reply {
        REGISTERED("OK registered"),
        AUTHENTICATED("OK authenticated"),
        DELIVERED("OK delivered"),
        QUEUED("OK queued"),
        BYE("OK bye"),
        PONG("PONG"),
        ERR_UNKNOWN_COMMAND("ERR unknown-command"),
        ERR_SYNTAX("ERR syntax"),
        ERR_NOT_AUTHENTICATED("ERR not-authenticated"),
        ERR_ALREADY_AUTHENTICATED("ERR already-authenticated"),
        ERR_AUTH_FAILED("ERR auth-failed"),
        ERR_UNKNOWN_RECIPIENT("ERR unknown-recipient"),
        ERR_QUEUE_FULL("ERR queue-full"),
        ERR_BAD_ENCODING("ERR bad-encoding"),
        ERR_LINE_TOO_LONG("ERR line-too-long"),
        ERR_SESSION_REPLACED("ERR session-replaced"),
        ERR_SERVER_FULL("ERR server-full"),
        ERR_AUTH_TIMEOUT("ERR auth-timeout"),
        ERR_SLOW_CONSUMER("ERR slow-consumer");

        private final String text;
        private final byte[] line;

        Reply(String text) {
            this.text = text;
            this.line = (text + "\n").getBytes(StandardCharsets.US_ASCII);
        }

        /** The line as text, without LF. */
        String text() {
            return text;
        }

        /**
         * The line's bytes with LF, encoded once: the caller copies them and never writes into
         * the array. Replies are ASCII, so writing one costs a copy and no encoding.
         */
        byte[] line() {
            return line;
        }
    }

    private WireLines() {
    }

    /**
     * {@code MSG <from> <text>} and LF as UTF-8, in one exactly sized array (the array is kept as
     * the queue entry when the recipient is offline). Names are ASCII; the text is copied char by
     * char while it is ASCII, the common case, and encoded by the JDK otherwise.
     */
    static byte[] msg(String from, String text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            if (text.charAt(i) >= 0x80) {
                return ("MSG " + from + " " + text + "\n").getBytes(StandardCharsets.UTF_8);
            }
        }
        int f = from.length();
        byte[] line = new byte[4 + f + 1 + n + 1];
        line[0] = 'M';
        line[1] = 'S';
        line[2] = 'G';
        line[3] = ' ';
        for (int i = 0; i < f; i++) {
            line[4 + i] = (byte) from.charAt(i); // names are ASCII
        }
        line[4 + f] = ' ';
        for (int i = 0; i < n; i++) {
            line[5 + f + i] = (byte) text.charAt(i);
        }
        line[line.length - 1] = '\n';
        return line;
    }
}

package org.litsxg.bench;

import java.nio.charset.StandardCharsets;

/**
 * The two wire dialects the load generator speaks: Litsxg ({@code AUTH}, {@code SEND},
 * {@code MSG}) and IRC as ngircd, InspIRCd and Ergo speak it ({@code NICK}/{@code USER},
 * {@code PRIVMSG}; a 4xx/5xx numeric is an error, 422 "no MOTD" excepted). Each
 * turns a server line into one {@link Event} without allocating, and writes the client's lines
 * into a byte array. Stateless and thread-safe.
 */
enum Dialect {
    LITSXG {
        @Override
        byte[] register(String name) {
            return ascii("AUTH " + name + " bench-secret-" + name + "\n");
        }

        @Override
        byte[] ping() {
            return ascii("PING\n");
        }

        @Override
        byte[] messagePrefix(byte[] to) {
            return concat(ascii("SEND "), to, ascii(" "));
        }

        @Override
        byte[] lineEnd() {
            return ascii("\n");
        }

        @Override
        Event classify(byte[] b, int off, int len) {
            if (startsWith(b, off, len, MSG)) {
                return Event.MESSAGE;
            }
            if (startsWith(b, off, len, OK_DELIVERED)) {
                return Event.ACK;
            }
            if (startsWith(b, off, len, OK_REGISTERED) || startsWith(b, off, len, OK_AUTHENTICATED)) {
                return Event.REGISTERED;
            }
            if (startsWith(b, off, len, PONG)) {
                return Event.PONG;
            }
            if (startsWith(b, off, len, OK_QUEUED)) {
                return Event.QUEUED;
            }
            return startsWith(b, off, len, ERR) ? Event.ERROR : Event.OTHER;
        }
    },

    IRC {
        @Override
        byte[] register(String name) {
            return ascii("NICK " + name + "\r\nUSER " + name + " 0 * :" + name + "\r\n");
        }

        @Override
        byte[] ping() {
            return ascii("PING :bench\r\n");
        }

        @Override
        byte[] messagePrefix(byte[] to) {
            return concat(ascii("PRIVMSG "), to, ascii(" :"));
        }

        @Override
        byte[] lineEnd() {
            return ascii("\r\n");
        }

        @Override
        Event classify(byte[] b, int off, int len) {
            if (startsWith(b, off, len, IRC_PING)) {
                return Event.SERVER_PING;
            }
            if (startsWith(b, off, len, IRC_ERROR)) {
                return Event.ERROR;
            }
            // ":prefix COMMAND ..."
            int sp = indexOf(b, off, off + len, (byte) ' ');
            if (len == 0 || b[off] != ':' || sp < 0) {
                return Event.OTHER;
            }
            int cmd = sp + 1;
            int cmdLen = off + len - cmd;
            if (startsWith(b, cmd, cmdLen, PRIVMSG)) {
                return Event.MESSAGE;
            }
            if (startsWith(b, cmd, cmdLen, WELCOME)) {
                return Event.REGISTERED;
            }
            if (startsWith(b, cmd, cmdLen, IRC_PONG)) {
                return Event.PONG;
            }
            // numeric replies 400-599 are errors (no such nick, nickname in use, ...), except
            // 422, "MOTD file is missing", which is how the welcome ends without a MOTD
            if (startsWith(b, cmd, cmdLen, NO_MOTD)) {
                return Event.OTHER;
            }
            if (cmdLen >= 4 && (b[cmd] == '4' || b[cmd] == '5') && isDigit(b[cmd + 1]) && isDigit(b[cmd + 2]) && b[cmd + 3] == ' ') {
                return Event.ERROR;
            }
            return Event.OTHER;
        }
    };

    /** What one server line means to the generator. */
    enum Event { REGISTERED, MESSAGE, ACK, QUEUED, PONG, SERVER_PING, ERROR, OTHER }

    private static final byte[] MSG = ascii("MSG ");
    private static final byte[] OK_DELIVERED = ascii("OK delivered");
    private static final byte[] OK_REGISTERED = ascii("OK registered");
    private static final byte[] OK_AUTHENTICATED = ascii("OK authenticated");
    private static final byte[] OK_QUEUED = ascii("OK queued");
    private static final byte[] PONG = ascii("PONG");
    private static final byte[] ERR = ascii("ERR ");
    private static final byte[] IRC_PING = ascii("PING ");
    private static final byte[] IRC_ERROR = ascii("ERROR ");
    private static final byte[] PRIVMSG = ascii("PRIVMSG ");
    private static final byte[] WELCOME = ascii("001 ");
    private static final byte[] IRC_PONG = ascii("PONG ");
    private static final byte[] NO_MOTD = ascii("422 ");

    /** The lines that register (or authenticate) {@code name}. */
    abstract byte[] register(String name);

    /** A liveness probe the server answers with a {@link Event#PONG}. */
    abstract byte[] ping();

    /** Everything of a direct message line to {@code to} before its text. */
    abstract byte[] messagePrefix(byte[] to);

    /** The line terminator the generator sends. */
    abstract byte[] lineEnd();

    /** Classifies one server line (terminator removed). Never allocates. */
    abstract Event classify(byte[] b, int off, int len);

    /** The answer to a server's {@code PING <token>}: {@code PONG <token>}. */
    static byte[] pongFor(byte[] b, int off, int len) {
        byte[] out = new byte[len + 2];
        System.arraycopy(b, off, out, 0, len);
        out[1] = 'O'; // PING -> PONG
        out[len] = '\r';
        out[len + 1] = '\n';
        return out;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static boolean startsWith(byte[] b, int off, int len, byte[] prefix) {
        if (len < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[off + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }
}

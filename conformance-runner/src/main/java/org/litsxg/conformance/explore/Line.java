package org.litsxg.conformance.explore;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * What one complete client line is, by the spec's line-level and command checks, in the order
 * CMD-5 and CMD-4 give them: length (LIMIT-1, LIMIT-2), encoding (WIRE-7, WIRE-8), empty line
 * (WIRE-6), command word (CMD-1), arguments (CMD-2, CMD-3, CMD-6, CMD-8 to CMD-12). The
 * connection state check (CMD-4 step 3) and the command itself belong to {@link ReplyRules}.
 *
 * @param kind the verdict
 * @param name the name of a well-formed AUTH or SEND
 * @param arg the secret of a well-formed AUTH, the text of a well-formed SEND (raw bytes)
 */
record Line(Kind kind, String name, byte[] arg) {

    enum Kind { EMPTY, TOO_LONG, BAD_ENCODING, UNKNOWN, SYNTAX, PING, QUIT, AUTH, SEND }

    /** LIMIT-1: a client line holds at most 4096 bytes, not counting its LF or CRLF. */
    static final int MAX = 4096;

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

    /** Classifies a line given without its LF; one CR before the LF is dropped here (WIRE-4). */
    static Line of(byte[] withoutLf) {
        int n = withoutLf.length;
        if (n > 0 && withoutLf[n - 1] == '\r') {
            n--;
        }
        if (n > MAX) {
            return new Line(Kind.TOO_LONG, null, null);
        }
        byte[] b = java.util.Arrays.copyOf(withoutLf, n);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return new Line(Kind.BAD_ENCODING, null, null);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\t' && (c < 0x20 || c >= 0x7f && c <= 0x9f)) {
                return new Line(Kind.BAD_ENCODING, null, null);
            }
        }
        if (n == 0) {
            return new Line(Kind.EMPTY, null, null);
        }
        int sp = text.indexOf(' ');
        String word = sp < 0 ? text : text.substring(0, sp);
        switch (word) {
            case "PING":
                return new Line(text.equals("PING") ? Kind.PING : Kind.SYNTAX, null, null);
            case "QUIT":
                return new Line(text.equals("QUIT") ? Kind.QUIT : Kind.SYNTAX, null, null);
            case "AUTH": {
                String[] t = text.split(" ", -1);
                if (t.length != 3 || !NAME.matcher(t[1]).matches() || !validSecret(t[2])) {
                    return new Line(Kind.SYNTAX, null, null);
                }
                return new Line(Kind.AUTH, t[1], t[2].getBytes(StandardCharsets.UTF_8));
            }
            case "SEND": {
                if (sp < 0) {
                    return new Line(Kind.SYNTAX, null, null);
                }
                int sp2 = text.indexOf(' ', sp + 1);
                if (sp2 < 0) {
                    return new Line(Kind.SYNTAX, null, null);
                }
                String name = text.substring(sp + 1, sp2);
                // CMD-10: the text is every byte after the single space that follows the name.
                int textStart = 5 + name.getBytes(StandardCharsets.UTF_8).length + 1;
                if (!NAME.matcher(name).matches() || textStart >= n) {
                    return new Line(Kind.SYNTAX, null, null);
                }
                return new Line(Kind.SEND, name, java.util.Arrays.copyOfRange(b, textStart, n));
            }
            default:
                return new Line(Kind.UNKNOWN, null, null);
        }
    }

    /** CMD-9: 8 to 128 bytes in UTF-8, no space, no control character (TAB included). */
    private static boolean validSecret(String s) {
        int len = s.getBytes(StandardCharsets.UTF_8).length;
        if (len < 8 || len > 128) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c < 0x20 || c >= 0x7f && c <= 0x9f) {
                return false;
            }
        }
        return true;
    }
}

package org.litsxg.conformance.explore;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The model's reading and writing of wire lines: reply keys, framing, MSG lines, feature-file escapes. */
final class WireText {

    private WireText() {
    }

    /** The first two tokens of a reply; "PONG" for a PONG with or without free text (WIRE-11, permissive). */
    static String replyKey(byte[] raw) {
        String t = new String(raw, StandardCharsets.UTF_8);
        if (t.equals("PONG") || t.startsWith("PONG ")) {
            return "PONG";
        }
        String[] p = t.split(" ", 3);
        return p.length >= 2 ? p[0] + " " + p[1] : t;
    }

    /** WIRE-5: valid UTF-8 and no CR before the LF. */
    static boolean wellFramed(byte[] raw) {
        if (raw.length > 0 && raw[raw.length - 1] == '\r') {
            return false;
        }
        return Arrays.equals(new String(raw, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8), raw);
    }

    /** The {@code MSG} line (without its LF) that delivers {@code text} from {@code from}. */
    static byte[] msgLine(String from, byte[] text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("MSG " + from + " ").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(text);
        return out.toByteArray();
    }

    /** Feature-file escapes (Escapes) for a line's bytes. */
    static String escape(byte[] b) {
        StringBuilder s = new StringBuilder();
        String t = new String(b, StandardCharsets.UTF_8);
        boolean valid = Arrays.equals(t.getBytes(StandardCharsets.UTF_8), b);
        if (!valid) {
            for (byte x : b) {
                int v = x & 0xff;
                if (v >= 0x20 && v < 0x7f && v != '\\' && v != '"' && v != '<') {
                    s.append((char) v);
                } else {
                    s.append(String.format("\\x%02X", v));
                }
            }
            return s.toString();
        }
        t.codePoints().forEach(cp -> {
            if (cp == '\t') {
                s.append("\\t");
            } else if (cp == '\r') {
                s.append("\\r");
            } else if (cp == '\\') {
                s.append("\\\\");
            } else if (cp < 0x20 || cp >= 0x7f && cp <= 0x9f || cp == '"' || cp == '<') {
                s.append("\\u{").append(Integer.toHexString(cp)).append('}');
            } else {
                s.appendCodePoint(cp);
            }
        });
        return s.toString();
    }
}

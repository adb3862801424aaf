package org.litsxg.conformance.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns the escaped text of a feature file into wire bytes: {@code \t}, {@code \r},
 * {@code \n}, {@code \\}, {@code \xNN} (one raw byte, which may make the line invalid UTF-8)
 * and a backslash-u escape {@code \\u{1F600}} (a code point in hex, UTF-8 encoded). Everything
 * else is UTF-8 as written. Before the escapes, {@code <N × s>} is expanded to {@code s}
 * repeated {@code N} times ({@code <128 × a>}), so long lines stay readable.
 */
public final class Escapes {

    private Escapes() {
    }

    private static final java.util.regex.Pattern REPEAT = java.util.regex.Pattern.compile("<(\\d+) × ([^>]+)>");

    /** Expands {@code <N × s>} into {@code s} repeated {@code N} times (before any escape). */
    public static String expandRepeats(String text) {
        java.util.regex.Matcher m = REPEAT.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(
                    m.group(2).repeat(Integer.parseInt(m.group(1)))));
        }
        m.appendTail(out);
        return out.toString();
    }

    public static byte[] decode(String raw) {
        String text = expandRepeats(raw);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 >= text.length()) {
                int cp = text.codePointAt(i);
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
                continue;
            }
            char e = text.charAt(i + 1);
            switch (e) {
                case 't' -> {
                    out.write('\t');
                    i += 2;
                }
                case 'r' -> {
                    out.write('\r');
                    i += 2;
                }
                case 'n' -> {
                    out.write('\n');
                    i += 2;
                }
                case '\\' -> {
                    out.write('\\');
                    i += 2;
                }
                case 'x' -> {
                    out.write(Integer.parseInt(text.substring(i + 2, i + 4), 16));
                    i += 4;
                }
                case 'u' -> {
                    int end = text.indexOf('}', i);
                    if (text.charAt(i + 2) != '{' || end < 0) {
                        throw new IllegalArgumentException("bad \\u{...} escape in: " + text);
                    }
                    int cp = Integer.parseInt(text.substring(i + 3, end), 16);
                    out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                    i = end + 1;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + e + " in: " + text);
            }
        }
        return out.toByteArray();
    }

    /** {@link #decode} as a Java string (only for escapes that stay valid UTF-8). */
    public static String text(String escaped) {
        return new String(decode(escaped), StandardCharsets.UTF_8);
    }
}

package org.litsxg.server;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a framed line into text, or rejects it (brief: "not valid UTF-8, or holds a control
 * character other than TAB" is {@code ERR bad-encoding}). Not thread-safe: it reuses one
 * strict decoder, so each selector thread owns one.
 */
final class LineDecoder {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    /** Returns the decoded line, or null when it is not valid UTF-8 or holds a control character. */
    String decode(byte[] bytes, int offset, int length) {
        boolean ascii = true;
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] < 0) {
                ascii = false;
                break;
            }
        }
        String text;
        if (ascii) {
            text = new String(bytes, offset, length, StandardCharsets.US_ASCII);
        } else {
            try {
                CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(bytes, offset, length));
                text = chars.toString();
            } catch (CharacterCodingException e) {
                return null;
            }
        }
        return hasControl(text) ? null : text;
    }

    /** True for any code point of Unicode category Cc other than TAB. */
    static boolean isForbiddenControl(char c) {
        return (c < 0x20 && c != '\t') || (c >= 0x7F && c <= 0x9F);
    }

    private static boolean hasControl(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (isForbiddenControl(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}

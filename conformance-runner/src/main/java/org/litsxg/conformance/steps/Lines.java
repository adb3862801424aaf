package org.litsxg.conformance.steps;

/** Builders for protocol lines of a given size. */
final class Lines {

    private Lines() {
    }

    /**
     * A {@code SEND <recipient> <text>} line of exactly {@code length} bytes (ASCII), not
     * counting its terminator. The text is a repeating, readable pattern.
     */
    static String sendOfLength(String recipient, int length) {
        String prefix = "SEND " + recipient + " ";
        int textLength = length - prefix.length();
        if (textLength < 1) {
            throw new IllegalArgumentException("a SEND line to " + recipient + " needs more than " + length + " bytes");
        }
        StringBuilder text = new StringBuilder(textLength);
        String pattern = "0123456789abcdefghijklmnopqrstuvwxyz";
        while (text.length() < textLength) {
            text.append(pattern, 0, Math.min(pattern.length(), textLength - text.length()));
        }
        return prefix + text;
    }
}

package org.litsxg.conformance.support;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Makes the names of one scenario unique on a server the kit did not start (external mode).
 * Such a server keeps its identities across scenarios and runs, so {@code alice} of one
 * scenario would find {@code alice} of another already registered (and share sessions with a
 * scenario running in parallel). Each scenario therefore speaks as {@code alice-<suffix>}:
 * the name in {@code AUTH} and {@code SEND} lines the kit sends gets the scenario's suffix,
 * and the suffix is taken off the sender of {@code MSG} lines it receives, so the features'
 * text stays as written. Transcripts keep the bytes as they travelled.
 *
 * <p>A valid name too long to take the suffix (over 26 characters) cannot be made unique: the
 * scenario is then NOT RUN ({@link Unimplemented}), never judged on a name another scenario
 * may have claimed. Invalid names (which the server must reject) are sent as written.
 *
 * <p>Immutable; the identity mapping {@link #NONE} is used when the kit starts the server.
 */
public final class NameAliases {

    /** The brief's name syntax. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    private static final int MAX_NAME = 32;
    /** The brief's line limit, in bytes without the terminator. */
    private static final int MAX_LINE = 4096;
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** No renaming: the kit started the server, whose identities are the scenario's own. */
    public static final NameAliases NONE = new NameAliases(null);

    private final String suffix;

    private NameAliases(String suffix) {
        this.suffix = suffix;
    }

    /** A fresh random suffix ({@code -} and 5 characters: 60 million values). */
    public static NameAliases random() {
        StringBuilder s = new StringBuilder("-");
        for (int i = 0; i < 5; i++) {
            s.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return new NameAliases(s.toString());
    }

    public boolean active() {
        return suffix != null;
    }

    /** The name the server sees for the feature's {@code name}. Idempotent. */
    public String out(String name) {
        if (suffix == null || !NAME.matcher(name).matches() || name.endsWith(suffix)) {
            return name;
        }
        if (name.length() + suffix.length() > MAX_NAME) {
            throw new Unimplemented("the server runs elsewhere and keeps identities between scenarios; the name '"
                    + name + "' is too long to be made unique for this scenario");
        }
        return name + suffix;
    }

    /** The feature's name for a name the server reported. */
    public String in(String name) {
        return suffix != null && name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : name;
    }

    /**
     * {@code bytes} with the name of each complete {@code AUTH}/{@code SEND} line renamed: a
     * line counts when it ends with LF inside {@code bytes} and starts either inside them
     * after an LF or at their start when {@code atLineStart}. Pieces of a line written in
     * several writes pass unchanged (the kit renames such lines before it splits them); so do
     * bytes that are not such lines.
     */
    public byte[] outgoing(byte[] bytes, boolean atLineStart) {
        if (suffix == null) {
            return bytes;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(bytes.length + 16);
        int start = 0;
        boolean whole = atLineStart;
        while (start < bytes.length) {
            int lf = start;
            while (lf < bytes.length && bytes[lf] != '\n') {
                lf++;
            }
            if (whole && lf < bytes.length) {
                writeLine(out, bytes, start, lf);
            } else {
                out.write(bytes, start, lf - start);
            }
            if (lf < bytes.length) {
                out.write('\n');
            }
            start = lf + 1;
            whole = true;
        }
        return out.toByteArray();
    }

    private void writeLine(java.io.ByteArrayOutputStream out, byte[] b, int from, int to) {
        boolean command = to - from > 5 && (startsWith(b, from, "AUTH ") || startsWith(b, from, "SEND "));
        if (!command) {
            out.write(b, from, to - from);
            return;
        }
        int nameStart = from + 5;
        int nameEnd = nameStart;
        while (nameEnd < to && b[nameEnd] != ' ' && b[nameEnd] != '\r') {
            nameEnd++;
        }
        String name = new String(b, nameStart, nameEnd - nameStart, StandardCharsets.ISO_8859_1);
        String renamed = out(name);
        int cr = to > from && b[to - 1] == '\r' ? 1 : 0;
        int before = to - from - cr;
        int after = before + renamed.length() - name.length();
        if (before <= MAX_LINE && after > MAX_LINE) {
            throw new Unimplemented("the server runs elsewhere and keeps identities between scenarios; a line of "
                    + before + " bytes cannot take a unique name and stay within " + MAX_LINE + " bytes");
        }
        out.write(b, from, 5);
        byte[] n = renamed.getBytes(StandardCharsets.ISO_8859_1);
        out.write(n, 0, n.length);
        out.write(b, nameEnd, to - nameEnd);
    }

    private static boolean startsWith(byte[] b, int from, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (b[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** A received line with the sender of a {@code MSG} line renamed back. */
    public byte[] incoming(byte[] raw) {
        if (suffix == null || raw.length < 5 || !startsWith(raw, 0, "MSG ")) {
            return raw;
        }
        int end = 4;
        while (end < raw.length && raw[end] != ' ') {
            end++;
        }
        String from = new String(raw, 4, end - 4, StandardCharsets.ISO_8859_1);
        String back = in(from);
        if (back.equals(from)) {
            return raw;
        }
        byte[] name = back.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[raw.length - (from.length() - name.length)];
        System.arraycopy(raw, 0, out, 0, 4);
        System.arraycopy(name, 0, out, 4, name.length);
        System.arraycopy(raw, end, out, 4 + name.length, raw.length - end);
        return out;
    }

    @Override
    public String toString() {
        return suffix == null ? "no renaming" : "names + '" + suffix + "'";
    }
}

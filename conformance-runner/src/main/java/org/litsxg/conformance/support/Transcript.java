package org.litsxg.conformance.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A timestamped record of one client's conversation with the server: every byte sent
 * ({@code >}), every line received ({@code <}) and every connection event ({@code *}).
 *
 * <p>Thread-safe: the client's reader thread and the step thread both append.
 */
public final class Transcript {

    private final String owner;
    private final long origin;
    private static final int HEAD = 1500;
    private static final int TAIL = 200;

    private final List<Entry> entries = new ArrayList<>();
    private final java.util.ArrayDeque<Entry> tail = new java.util.ArrayDeque<>();
    private long omitted;

    /** @param origin {@link System#nanoTime()} at which time 0.000 is counted */
    public Transcript(String owner, long origin) {
        this.owner = owner;
        this.origin = origin;
    }

    public void sent(byte[] bytes) {
        add('>', bytes.clone());
    }

    public void received(byte[] line) {
        add('<', line);
    }

    public void event(String what) {
        add('*', what);
    }

    /** One entry; rendered only when the transcript is read (entries are many, reads rare). */
    private record Entry(long at, char direction, Object payload) {
    }

    private String format(Entry e) {
        String text = e.payload() instanceof byte[] b ? render(b) : (String) e.payload();
        return String.format("%8.3f %s %s %s", (e.at() - origin) / 1e9, owner, e.direction(), text);
    }

    private synchronized void add(char direction, Object payload) {
        Entry entry = new Entry(System.nanoTime(), direction, payload);
        if (entries.size() < HEAD) {
            entries.add(entry);
            return;
        }
        tail.addLast(entry);
        if (tail.size() > TAIL) {
            tail.removeFirst();
            omitted++;
        }
    }

    /** The transcript so far, one entry a line. */
    public synchronized String text() {
        StringBuilder out = new StringBuilder();
        entries.forEach(e -> out.append(format(e)).append('\n'));
        if (omitted > 0) {
            out.append("         ... ").append(omitted).append(" entries omitted ...\n");
        }
        tail.forEach(e -> out.append(format(e)).append('\n'));
        return out.toString();
    }

    /**
     * Renders bytes for a human: printable UTF-8 as is, everything else escaped
     * ({@code \n}, {@code \r}, {@code \t}, {@code \xNN}). Long runs are abbreviated.
     */
    public static String render(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        String decoded = new String(bytes, StandardCharsets.UTF_8);
        boolean valid = java.util.Arrays.equals(decoded.getBytes(StandardCharsets.UTF_8), bytes);
        if (valid) {
            decoded.codePoints().forEach(cp -> {
                switch (cp) {
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\\' -> out.append("\\\\");
                    default -> {
                        if (Character.getType(cp) == Character.CONTROL) {
                            out.append(String.format("\\u{%04X}", cp));
                        } else {
                            out.appendCodePoint(cp);
                        }
                    }
                }
            });
        } else {
            for (byte b : bytes) {
                int v = b & 0xff;
                if (v >= 0x20 && v < 0x7f && v != '\\') {
                    out.append((char) v);
                } else if (v == '\n') {
                    out.append("\\n");
                } else {
                    out.append(String.format("\\x%02X", v));
                }
            }
        }
        if (out.length() > 300) {
            return out.substring(0, 200) + "...(" + bytes.length + " bytes)..."
                    + out.substring(out.length() - 60);
        }
        return out.toString();
    }
}

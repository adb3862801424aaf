package org.litsxg.conformance.support;

import java.nio.charset.StandardCharsets;

/** What a {@link WireClient} observed next: a line, the end of the connection, or nothing. */
public sealed interface Received permits Received.Line, Received.Closed, Received.Nothing {

    /**
     * A complete line from the server, without its LF (and without one CR before it).
     *
     * @param at {@link System#nanoTime()} when the kit read it
     */
    record Line(String text, byte[] raw, long at) implements Received {
        public Line {
            raw = raw.clone();
        }

        public Line(String text, byte[] raw) {
            this(text, raw, System.nanoTime());
        }

        /** The first {@code n} space-separated tokens, joined by one space. */
        public String firstTokens(int n) {
            String[] parts = text.split(" ", n + 1);
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < Math.min(n, parts.length); i++) {
                if (i > 0) {
                    out.append(' ');
                }
                out.append(parts[i]);
            }
            return out.toString();
        }

        public boolean isMessage() {
            return text.startsWith("MSG ");
        }

        static Line of(byte[] raw) {
            int end = raw.length;
            if (end > 0 && raw[end - 1] == '\r') {
                end--;
            }
            return new Line(new String(raw, 0, end, StandardCharsets.UTF_8), raw, System.nanoTime());
        }

        @Override
        public String toString() {
            return "line \"" + Transcript.render(raw) + "\"";
        }
    }

    /** The connection ended: the server closed it, or reset it. */
    record Closed(String how) implements Received {
        @Override
        public String toString() {
            return "connection closed (" + how + ")";
        }
    }

    /** Nothing arrived within the time the kit waited. */
    record Nothing(long waitedMillis) implements Received {
        @Override
        public String toString() {
            return "nothing within " + waitedMillis + " ms";
        }
    }
}

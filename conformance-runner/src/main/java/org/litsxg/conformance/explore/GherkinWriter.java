package org.litsxg.conformance.explore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a run as a scenario in the kit's own step phrases (conformance-runner's
 * {@code steps} package): the limits through "the server is configured with ...", each action as
 * a When step, what the build did that the model accepted as Then steps, and at the divergence
 * the step that asserts what the model expected. A connection is named after its label in the
 * run ({@code c1}, {@code c2}, ...). What the kit has no step for (a client that stops reading,
 * a reset) is written as a comment, so the scenario says what it leaves out.
 */
final class GherkinWriter {

    private GherkinWriter() {
    }

    static String scenario(Explorer.Settings s, Explorer.Outcome run, long seed) {
        Divergence d = run.divergence();
        Set<String> tags = new LinkedHashSet<>();
        d.clauses().forEach(c -> tags.add("@" + c));
        tags.add("@must");
        tags.add("@process");
        StringBuilder g = new StringBuilder();
        g.append("  ").append(String.join(" ", tags)).append('\n');
        g.append("  Scenario: explore seed ").append(seed).append(": ").append(oneLine(d)).append('\n');
        g.append("    Given the server is configured with a queue limit of ").append(s.maxQueued()).append(" messages\n");
        g.append("    And the server is configured with a connection limit of ").append(s.maxConnections()).append('\n');
        g.append("    And the server is configured with an auth timeout of ").append(s.authTimeout()).append(" seconds\n");
        g.append("    And the server is configured with a pending output limit of ").append(s.maxPendingBytes()).append(" bytes\n");
        g.append("    And the server is running\n");
        Map<Integer, String> labels = new HashMap<>();
        int conns = 0;
        for (int i = 0; i <= run.failedAt() && i < run.actions().size(); i++) {
            Action a = run.actions().get(i);
            if (!run.applied().get(i)) {
                continue;
            }
            List<Seen> seen = i < run.seen().size() ? run.seen().get(i) : List.of();
            String who = a.slot() >= 0 ? labels.get(a.slot()) : null;
            switch (a.kind()) {
                case CONNECT -> {
                    who = "c" + (++conns);
                    labels.put(a.slot(), who);
                    g.append("    When ").append(who).append(" connects\n");
                    if (a.n() == 1) {
                        g.append("    # (the explorer connected ").append(who).append(" with small socket buffers)\n");
                    }
                }
                case SEND -> {
                    if (who == null) {
                        continue;
                    }
                    sendSteps(g, who, a);
                }
                case HALF_CLOSE -> g.append("    When ").append(who).append(" half-closes the connection\n");
                case CLOSE -> g.append("    When ").append(who).append(" closes the connection\n");
                case RESET -> g.append("    When ").append(who).append(" closes the connection\n")
                        .append("    # (the explorer reset it: SO_LINGER 0; the kit's step closes it normally)\n");
                case STALL -> g.append("    # not expressible with the kit's steps: ").append(who).append(" stops reading\n");
                case RESUME -> g.append("    # not expressible with the kit's steps: ").append(who).append(" reads again\n");
                case TERM -> {
                    g.append("    When the server receives SIGTERM\n");
                    if (i < run.failedAt() || d.step() == null || !d.step().startsWith("the server exits")) {
                        g.append("    Then the server exits at once with status 0\n");
                        for (Seen x : seen) {
                            if (x.kind().equals("end")) {
                                g.append("    And ").append(x.conn()).append(" is disconnected\n");
                            }
                        }
                        if (i < run.failedAt()) {
                            g.append("    When the server is started again\n");
                        }
                        continue;
                    }
                }
                case KILL -> {
                    g.append("    When the server process is killed and started again\n");
                    for (Seen x : seen) {
                        if (x.kind().equals("end")) {
                            g.append("    Then ").append(x.conn()).append(" is disconnected\n");
                        }
                    }
                    continue;
                }
                case WAIT -> g.append("    # (the explorer waited ").append(a.n()).append(" ms; a later step waits for what")
                        .append(" the wait let happen)\n");
                default -> {
                }
            }
            then(g, seen);
        }
        if (d.step() != null) {
            g.append("    Then ").append(d.step()).append('\n');
        } else {
            g.append("    # The kit has no step for what the model expected here: ").append(d.expected()).append('\n');
        }
        return andForRepeats(g.toString());
    }

    /** A step with the keyword of the step before it reads "And". */
    private static String andForRepeats(String text) {
        StringBuilder out = new StringBuilder();
        String last = null;
        for (String line : text.split("\n", -1)) {
            String t = line.strip();
            String kw = t.startsWith("Given ") ? "Given" : t.startsWith("When ") ? "When" : t.startsWith("Then ") ? "Then"
                    : t.startsWith("And ") ? "And" : null;
            if (kw != null && !kw.equals("And")) {
                if (kw.equals(last)) {
                    line = line.replaceFirst(kw, "And");
                }
                last = kw;
            }
            out.append(line).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    /** What the build did during one action, each connection's lines before its end. */
    private static void then(StringBuilder g, List<Seen> seen) {
        List<Seen> ends = new ArrayList<>();
        String kw = "Then";
        for (Seen s : seen) {
            if (s.kind().equals("end")) {
                ends.add(s);
                continue;
            }
            String text = s.kind().equals("msg") ? WireText.escape(s.text().getBytes(StandardCharsets.UTF_8)) : s.text();
            g.append("    ").append(kw).append(' ').append(s.conn()).append(" receives \"").append(compress(text)).append("\"\n");
            kw = "And";
        }
        for (Seen s : ends) {
            g.append("    ").append(kw).append(' ').append(s.conn()).append(" is disconnected\n");
            kw = "And";
        }
    }

    private static void sendSteps(StringBuilder g, String who, Action a) {
        byte[] b = a.bytes();
        List<byte[]> lines = Shrinker.split(b);
        if (a.cuts().length == 0 && lines.size() == 1 && b.length > 0 && b[b.length - 1] == '\n') {
            g.append("    When ").append(who).append(" sends \"")
                    .append(compress(WireText.escape(java.util.Arrays.copyOf(b, b.length - 1)))).append("\"\n");
            return;
        }
        int from = 0;
        int[] cuts = a.cuts();
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : b.length;
            if (to <= from) {
                continue;
            }
            g.append("    When ").append(who).append(" sends the raw bytes \"")
                    .append(compress(escapeRaw(java.util.Arrays.copyOfRange(b, from, to)))).append("\"\n");
            from = to;
        }
    }

    /** Escapes (Escapes' syntax) for arbitrary bytes, LF as {@code \n}. */
    static String escapeRaw(byte[] b) {
        StringBuilder s = new StringBuilder();
        int from = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i == b.length || b[i] == '\n') {
                s.append(escapePiece(java.util.Arrays.copyOfRange(b, from, i)));
                if (i < b.length) {
                    s.append("\\n");
                }
                from = i + 1;
            }
        }
        return s.toString();
    }

    /** A piece that may end or start inside a UTF-8 character: those bytes as \xNN. */
    private static String escapePiece(byte[] b) {
        int start = 0;
        while (start < b.length && (b[start] & 0xc0) == 0x80) {
            start++;
        }
        int end = b.length;
        int k = end - 1;
        while (k >= start && (b[k] & 0xc0) == 0x80) {
            k--;
        }
        if (k >= start) {
            int lead = b[k] & 0xff;
            int need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
            if (end - k < need) {
                end = k;
            }
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < start; i++) {
            s.append(String.format("\\x%02X", b[i] & 0xff));
        }
        s.append(WireText.escape(java.util.Arrays.copyOfRange(b, start, Math.max(start, end))));
        for (int i = Math.max(start, end); i < b.length; i++) {
            s.append(String.format("\\x%02X", b[i] & 0xff));
        }
        return s.toString();
    }

    /** Long runs of one character as {@code <N × c>} (Escapes.expandRepeats). */
    static String compress(String s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([a-zA-Z0-9])\\1{15,}").matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, "<" + m.group().length() + " × " + m.group(1) + ">");
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String oneLine(Divergence d) {
        String t = String.join(" ", d.clauses()) + " at " + d.where() + ": " + d.actual();
        t = t.replaceAll("[\\r\\n\\t]", " ");
        return t.length() > 150 ? t.substring(0, 150) + "..." : t;
    }

    /** A feature file around one scenario. */
    static String feature(String scenario) {
        return "Feature: Found by litsxg conformance explore\n\n" + scenario;
    }
}

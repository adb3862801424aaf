package org.litsxg.conformance.upgrade;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Extensions a new build shows against an old one: replies neither the old build nor the wire
 * contract has, and command words the old build answered {@code ERR unknown-command} and the
 * new one answers otherwise. Read from the transcripts of two runs of the features.
 */
final class Extensions {

    private Extensions() {
    }

    /**
     * The reply vocabulary of a transcript: {@code OK <word>} and {@code ERR <code>} by their
     * first two tokens, any other line ({@code PONG}, {@code MSG}, a greeting) by its first token.
     */
    static void replies(String transcript, Set<String> into) {
        if (transcript == null) {
            return;
        }
        for (String raw : transcript.split("\n")) {
            String[] f = raw.strip().split(" ", 4);
            if (f.length == 4 && f[2].equals("<")) {
                into.add(vocabularyWord(f[3]));
            }
        }
    }

    static String vocabularyWord(String reply) {
        String[] t = reply.split(" ", 3);
        if ((t[0].equals("OK") || t[0].equals("ERR")) && t.length > 1) {
            return t[0] + " " + t[1];
        }
        return t[0];
    }

    /**
     * Where both builds were sent the same lines, the replies that the old build gave as
     * {@code ERR unknown-command} and the new one as something else: a command word the new
     * build knows and the old one did not.
     */
    static List<String> newlyKnownCommands(List<Map<String, String>> from, List<Map<String, String>> to) {
        List<String> out = new ArrayList<>();
        if (from == null || to == null || from.size() != to.size()) {
            return out;
        }
        for (int i = 0; i < from.size(); i++) {
            Normaliser.Client a = Normaliser.normalise(from.get(i).get("client"), from.get(i).get("text"));
            Normaliser.Client b = Normaliser.normalise(to.get(i).get("client"), to.get(i).get("text"));
            if (!a.sent().equals(b.sent())) {
                continue;
            }
            List<String> lines = sentLines(a.sent());
            int n = Math.min(a.replies().size(), b.replies().size());
            for (int k = 0; k < n; k++) {
                if (a.replies().get(k).startsWith("ERR unknown-command")
                        && !b.replies().get(k).startsWith("ERR unknown-command")) {
                    String word = k < lines.size() ? lines.get(k).split(" ", 2)[0] : "(a command)";
                    out.add("command " + word + " answered \"" + vocabularyWord(b.replies().get(k))
                            + "\" (the old build: ERR unknown-command)");
                }
            }
        }
        return out;
    }

    /** The non-empty lines in the rendered sent chunks, in order (an approximation of the reply order). */
    private static List<String> sentLines(List<String> chunks) {
        List<String> lines = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String c : chunks) {
            int i = 0;
            while (i < c.length()) {
                if (c.startsWith("\\n", i)) {
                    String l = cur.toString().replace("\\r", "");
                    if (!l.isEmpty()) {
                        lines.add(l);
                    }
                    cur.setLength(0);
                    i += 2;
                } else {
                    cur.append(c.charAt(i++));
                }
            }
        }
        return lines;
    }

    private static final Pattern CONTRACT_REPLY = Pattern.compile("`((?:OK|ERR) [a-z-]+)");
    private static volatile Set<String> contractCache;

    /**
     * The replies the wire contract defines: every {@code `OK word`} and {@code `ERR code`} the
     * bundled spec (spec/litsxg.md) names, plus {@code PONG} and {@code MSG}. A reply in this set
     * is never an extension, even if the old build never sent it (it may have been the bug).
     */
    static Set<String> contractReplies() {
        Set<String> c = contractCache;
        if (c != null) {
            return c;
        }
        Set<String> out = new TreeSet<>(List.of("PONG", "MSG"));
        try (InputStream in = Extensions.class.getClassLoader().getResourceAsStream("spec/litsxg.md")) {
            if (in == null) {
                throw new IllegalStateException("spec/litsxg.md is not on the class path");
            }
            Matcher m = CONTRACT_REPLY.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            while (m.find()) {
                out.add(m.group(1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        contractCache = Set.copyOf(out);
        return contractCache;
    }
}

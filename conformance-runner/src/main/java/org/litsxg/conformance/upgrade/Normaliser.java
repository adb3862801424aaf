package org.litsxg.conformance.upgrade;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Turns a client transcript (as {@link org.litsxg.conformance.support.Transcript#text()} renders
 * it) into what two runs of the same build must agree on, dropping whatever varies between two
 * runs of one build:
 * <ul>
 *   <li>timestamps (the first column);</li>
 *   <li>ports and addresses in connection events, and the scenario's temporary directory;</li>
 *   <li>how and whether a connection ended: end of stream or reset, and whether the server's
 *       close came before the kit's own, are timing (the features judge closes by outcome); and
 *       the replies after a client's last send: whether a reply no step waited for was read
 *       before the kit closed the connection at the scenario's end is timing, and the reply a
 *       step did wait for is judged by the scenario's outcome (MSG lines are kept);</li>
 *   <li>the interleaving of what was sent and what was received (pipelined lines), and of
 *       {@code MSG} lines from different senders with each other and with replies: the
 *       contract orders replies, and messages per sender, and nothing more. So the normal
 *       form is: the sent chunks in order; the replies in order; the {@code MSG} lines grouped
 *       by sender, in order within a sender; the connection events in order;</li>
 *   <li>the size of the middle part of a very long transcript that the kit elided;</li>
 *   <li>the scenario's random token in secrets and texts (see Secrets#secret), as
 *       {@code <token>}: each scenario draws its own, so that the file scans find its secrets.</li>
 * </ul>
 */
public final class Normaliser {

    private static final Pattern TMP = Pattern.compile("\\S*litsxg-kit-[0-9]+\\S*");
    /** The scenario's random token in secrets and texts (Secrets.randomToken): K7 and 8 of its letters. */
    private static final Pattern TOKEN = Pattern.compile("K7[a-km-np-z2-9]{8}");
    private static final Pattern ADDRESS = Pattern.compile("[0-9a-fA-F.:\\[\\]]*:[0-9]{2,5}\\b");

    private Normaliser() {
    }



    /** One client's transcript in normal form. */
    public record Client(String client, List<String> sent, List<String> replies, Map<String, List<String>> messages,
            List<String> events, boolean elided) {

        /** The normal form as text, one item a line, for display and comparison. */
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            out.add("client " + client + (elided ? " (transcript elided in the middle)" : ""));
            sent.forEach(s -> out.add("  > " + s));
            replies.forEach(r -> out.add("  < " + r));
            messages.forEach((from, ms) -> ms.forEach(m -> out.add("  < " + m)));
            events.forEach(e -> out.add("  * " + e));
            return out;
        }
    }

    /** Normalises one transcript text. */
    public static Client normalise(String client, String text) {
        List<String> sent = new ArrayList<>();
        List<String> replies = new ArrayList<>();
        Map<String, List<String>> messages = new TreeMap<>();
        List<String> events = new ArrayList<>();
        boolean elided = false;
        boolean afterElision = false;
        String[] all = text.split("\n");
        int lastSent = -1;
        for (int i = 0; i < all.length; i++) {
            String[] f = all[i].strip().split(" ", 4);
            if (f.length >= 3 && f[2].equals(">")) {
                lastSent = i;
            }
        }
        for (int i = 0; i < all.length; i++) {
            String raw = all[i];
            String[] g = raw.strip().split(" ", 4);
            if (i > lastSent && g.length == 4 && g[2].equals("<") && !g[3].startsWith("MSG ")) {
                // In flight when the scenario ended: no step waited for it, and whether it was
                // read before the kit closed the connection is timing.
                continue;
            }
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("... ") && line.endsWith(" entries omitted ...")) {
                // What falls in the elided middle depends on chunking; keep only the head.
                elided = true;
                afterElision = true;
                continue;
            }
            if (afterElision) {
                continue;
            }
            String[] f = line.split(" ", 4);
            if (f.length < 3) {
                continue;
            }
            String payload = f.length == 4 ? TOKEN.matcher(TMP.matcher(f[3]).replaceAll("<tmp>")).replaceAll("<token>") : "";
            switch (f[2]) {
                case ">" -> sent.add(payload);
                case "<" -> {
                    if (payload.startsWith("MSG ")) {
                        String[] t = payload.split(" ", 3);
                        messages.computeIfAbsent(t.length > 1 ? t[1] : "", k -> new ArrayList<>()).add(payload);
                    } else {
                        replies.add(payload);
                    }
                }
                case "*" -> {
                    if (!payload.startsWith("kit closes") && !payload.startsWith("connection ended")) {
                        events.add(event(payload));
                    }
                }
                default -> events.add(line);
            }
        }
        if (elided) {
            // The head holds a fixed number of entries, split between directions by timing.
            int keep = Math.min(Math.min(sent.size(), replies.size()), 50);
            sent = new ArrayList<>(sent.subList(0, Math.min(sent.size(), keep)));
            replies = new ArrayList<>(replies.subList(0, Math.min(replies.size(), keep)));
            messages.replaceAll((k, v) -> new ArrayList<>(v.subList(0, Math.min(v.size(), keep))));
        }
        return new Client(client, List.copyOf(sent), List.copyOf(replies), messages, List.copyOf(events), elided);
    }

    private static String event(String e) {
        if (e.startsWith("connected to ")) {
            return "connected";
        }
        if (e.startsWith("connection ended")) {
            return "connection ended";
        }
        if (e.startsWith("connect to ")) {
            return "connect failed";
        }
        if (e.startsWith("send failed")) {
            return "send failed";
        }
        return ADDRESS.matcher(e).replaceAll("<address>");
    }

    /**
     * A scenario's transcripts (client name, text pairs) in normal form, as text lines. The
     * connections of one name ({@code alice}, {@code alice#2}, ...) are merged, each part sorted
     * (replies as the set of distinct reply lines):
     * when several connections race (two first uses of a name, a replacement), which of them wins
     * is timing, while what the build answered, taken together, is not.
     */
    public static List<String> scenario(List<Map<String, String>> transcripts) {
        List<String> out = new ArrayList<>();
        if (transcripts == null) {
            return out;
        }
        Map<String, List<Client>> byName = new java.util.LinkedHashMap<>();
        for (Map<String, String> t : transcripts) {
            String label = t.get("client");
            int hash = label.indexOf('#');
            String name = hash < 0 ? label : label.substring(0, hash);
            byName.computeIfAbsent(name, k -> new ArrayList<>()).add(normalise(label, t.get("text")));
        }
        byName.forEach((name, cs) -> {
            List<String> sent = new ArrayList<>();
            List<String> replies = new ArrayList<>();
            List<String> messages = new ArrayList<>();
            List<String> events = new ArrayList<>();
            boolean elided = false;
            for (Client c : cs) {
                sent.addAll(c.sent());
                replies.addAll(c.replies());
                c.messages().values().forEach(messages::addAll);
                events.addAll(c.events());
                elided |= c.elided();
            }
            sent.sort(null);
            // Which replies were read before the kit closed is timing when lines are pipelined;
            // how many of each is judged by the outcome. The bytes of each distinct reply are kept.
            List<String> distinct = new ArrayList<>(new java.util.TreeSet<>(replies));
            replies.clear();
            replies.addAll(distinct);
            messages.sort(null);
            events.sort(null);
            out.add("name " + name + " (" + cs.size() + " connections" + (elided ? ", elided" : "") + ")");
            sent.forEach(s -> out.add("  > " + s));
            replies.forEach(r -> out.add("  < " + r));
            messages.forEach(m -> out.add("  < " + m));
            events.forEach(e -> out.add("  * " + e));
        });
        return out;
    }
}

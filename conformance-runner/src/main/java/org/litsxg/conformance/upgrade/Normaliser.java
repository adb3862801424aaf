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
 *   <li>how a connection ended (end of stream or reset depends on timing, not on the build) and
 *       the text of a failed send: only that it ended, or failed, is kept;</li>
 *   <li>the interleaving of what was sent and what was received (pipelined lines), and of
 *       {@code MSG} lines from different senders with each other and with replies: the
 *       contract orders replies, and messages per sender, and nothing more. So the normal
 *       form is: the sent chunks in order; the replies in order; the {@code MSG} lines grouped
 *       by sender, in order within a sender; the connection events in order;</li>
 *   <li>the size of the middle part of a very long transcript that the kit elided.</li>
 * </ul>
 * Secrets need no normalising: the kit's are fixed per name.
 */
public final class Normaliser {

    private static final Pattern TMP = Pattern.compile("\\S*litsxg-kit-[0-9]+\\S*");
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
        for (String raw : text.split("\n")) {
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
            String payload = f.length == 4 ? TMP.matcher(f[3]).replaceAll("<tmp>") : "";
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
                case "*" -> events.add(event(payload));
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

    /** A scenario's transcripts (client name, text pairs) in normal form, as text lines. */
    public static List<String> scenario(List<Map<String, String>> transcripts) {
        List<String> out = new ArrayList<>();
        if (transcripts == null) {
            return out;
        }
        for (Map<String, String> t : transcripts) {
            out.addAll(normalise(t.get("client"), t.get("text")).lines());
        }
        return out;
    }
}

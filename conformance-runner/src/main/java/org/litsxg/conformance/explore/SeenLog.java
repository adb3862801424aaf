package org.litsxg.conformance.explore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Every observation the model accepted, in order, and how often each kind was seen: what a run exercised. */
final class SeenLog {

    private final List<Seen> seen = new ArrayList<>();
    /** How often each reply, MSG line and close was seen and accepted. */
    private final Map<String, Integer> counts = new TreeMap<>();
    private Consumer<Seen> listener = s -> { };

    void onSeen(Consumer<Seen> l) {
        this.listener = l;
    }

    /** {@code kind} is "reply" (with the reply key as {@code text}), "msg" (the line) or "end" (null). */
    void note(Conn c, String kind, String text) {
        counts.merge(kind.equals("reply") ? text : kind.equals("msg") ? "MSG" : "close", 1, Integer::sum);
        Seen s = new Seen(c.label, kind, text);
        seen.add(s);
        listener.accept(s);
    }

    Map<String, Integer> counts() {
        return counts;
    }

    List<Seen> seen() {
        return seen;
    }
}

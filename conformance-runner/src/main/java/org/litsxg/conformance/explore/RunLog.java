package org.litsxg.conformance.explore;

import java.util.ArrayList;
import java.util.List;
import org.litsxg.conformance.support.Transcript;

/** The transcript of one explorer run: every action, byte written, line read and end, timestamped. */
final class RunLog {

    private final long origin = System.nanoTime();
    private final List<String> lines = new ArrayList<>();
    private final boolean keep;

    RunLog(boolean keep) {
        this.keep = keep;
    }

    private synchronized void add(String who, char dir, String what) {
        if (keep) {
            lines.add(String.format(java.util.Locale.ROOT, "%9.3f %-7s %c %s", (System.nanoTime() - origin) / 1e9, who, dir, what));
        }
    }

    void sent(String who, byte[] b) {
        add(who, '>', "\"" + clip(Transcript.render(b)) + "\"");
    }

    void received(String who, byte[] b) {
        add(who, '<', "\"" + clip(Transcript.render(b)) + "\"");
    }

    void event(String who, String what) {
        add(who, '*', what);
    }

    private static String clip(String s) {
        return s.length() <= 300 ? s : s.substring(0, 200) + "...(" + s.length() + " chars)..." + s.substring(s.length() - 60);
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }
}

package org.litsxg.conformance.explore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Shrinks a diverging action sequence to a small one that still diverges the same way (the same
 * clauses): fewest actions (delta debugging: drop chunks, halving their size), fewest clients
 * (drop every action of a slot, then number the slots in order of first use), fewest bytes
 * (drop cuts, drop lines of a pipelined write, shorten long runs). Every candidate is replayed on
 * a fresh server, so shrinking is bounded by a wall-clock budget and a count of replays.
 *
 * <p>Hand-written rather than jqwik's shrinking: jqwik shrinks only inside its engine, by
 * re-running a property, and here one try is a server process and seconds of sockets; the
 * command needs to bound the time shrinking takes and keep the best sequence found so far when
 * the budget runs out.
 */
final class Shrinker {

    /** Replays a candidate; the divergence it gives (with the index of the failing action), or null. */
    interface Replay extends Function<List<Action>, Explorer.Outcome> {
    }

    private final Replay replay;
    private final Divergence target;
    private final long deadline;
    private final int maxTries;
    private int tries;
    private Explorer.Outcome best;

    Shrinker(Replay replay, Divergence target, long deadline, int maxTries) {
        this.replay = replay;
        this.target = target;
        this.deadline = deadline;
        this.maxTries = maxTries;
    }

    int tries() {
        return tries;
    }

    Explorer.Outcome best() {
        return best;
    }

    private boolean budget() {
        return tries < maxTries && System.nanoTime() < deadline;
    }

    /** Whether the candidate still diverges the same way; keeps its (truncated) run as the best. */
    private boolean test(List<Action> candidate) {
        if (!budget()) {
            return false;
        }
        tries++;
        Explorer.Outcome o = replay.apply(candidate);
        if (o.divergence() != null && o.divergence().sameKind(target)) {
            best = o;
            return true;
        }
        return false;
    }

    private List<Action> current() {
        return new ArrayList<>(best.actions().subList(0, best.failedAt() + 1));
    }

    /** Shrinks from {@code start}, the confirmed diverging run. */
    Explorer.Outcome shrink(Explorer.Outcome start) {
        best = start;
        dropSlots(); // whole clients first: one replay can remove many actions
        // Fewest actions.
        for (int chunk = Math.max(1, current().size() / 2); chunk >= 1 && budget(); chunk = chunk / 2) {
            boolean again = true;
            while (again && budget()) {
                again = false;
                List<Action> cur = current();
                for (int i = 0; i + 1 <= cur.size() - 1 && budget(); i += chunk) {
                    List<Action> cand = new ArrayList<>(cur);
                    int to = Math.min(i + chunk, cur.size() - 1); // keep the failing action itself
                    if (to <= i) {
                        continue;
                    }
                    cand.subList(i, to).clear();
                    if (test(cand)) {
                        again = true;
                        break;
                    }
                }
            }
            if (chunk == 1) {
                break;
            }
        }
        // Fewest clients: drop a slot's actions; then number the slots by first use.
        dropSlots();
        if (budget()) {
            Map<Integer, Integer> renumber = new LinkedHashMap<>();
            List<Action> cur = current();
            List<Action> cand = new ArrayList<>();
            for (Action a : cur) {
                if (a.slot() >= 0) {
                    renumber.putIfAbsent(a.slot(), renumber.size());
                    cand.add(a.onSlot(renumber.get(a.slot())));
                } else {
                    cand.add(a);
                }
            }
            if (!cand.equals(cur)) {
                test(cand);
            }
        }
        // A close or reset the server notices at a moment the kit cannot see (ROUTE-9) makes the
        // scenario timing-dependent; a QUIT ends the session at a point both sides agree on.
        for (int i = 0; budget() && i < current().size() - 1; i++) {
            Action a = current().get(i);
            if (a.kind() == Action.Kind.CLOSE || a.kind() == Action.Kind.RESET) {
                test(replace(i, Action.send(a.slot(), "QUIT\n")));
            }
        }
        // Fewest bytes: no cuts, fewer lines per write, shorter runs.
        for (int i = 0; budget() && i < current().size(); i++) {
            Action a = current().get(i);
            if (a.kind() != Action.Kind.SEND) {
                continue;
            }
            if (a.cuts().length > 0 && test(replace(i, a.withBytes(a.bytes(), null)))) {
                a = current().get(i);
            }
            List<byte[]> lines = split(a.bytes());
            for (int j = 0; lines.size() > 1 && j < lines.size() && budget(); j++) {
                List<byte[]> fewer = new ArrayList<>(lines);
                fewer.remove(j);
                Action b = a.withBytes(join(fewer), null);
                if (test(replace(i, b))) {
                    a = b;
                    lines = fewer;
                    j--;
                }
            }
            String s = new String(a.bytes(), StandardCharsets.ISO_8859_1);
            String shorter = s.replaceAll("(.)\\1{63,}", "$1$1$1$1$1$1$1$1");
            if (!shorter.equals(s)) {
                test(replace(i, a.withBytes(shorter.getBytes(StandardCharsets.ISO_8859_1), null)));
            }
        }
        return best;
    }

    private void dropSlots() {
        for (int slot = 0; slot < 16 && budget(); slot++) {
            final int s = slot;
            List<Action> cur = current();
            if (cur.get(cur.size() - 1).slot() == s || cur.stream().noneMatch(a -> a.slot() == s)) {
                continue;
            }
            test(new ArrayList<>(cur.stream().filter(a -> a.slot() != s).toList()));
        }
    }

    private List<Action> replace(int i, Action a) {
        List<Action> l = current();
        l.set(i, a);
        return l;
    }

    /** Lines with their LF; an unterminated remainder last. */
    static List<byte[]> split(byte[] b) {
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n') {
                out.add(java.util.Arrays.copyOfRange(b, from, i + 1));
                from = i + 1;
            }
        }
        if (from < b.length) {
            out.add(java.util.Arrays.copyOfRange(b, from, b.length));
        }
        return out;
    }

    private static byte[] join(List<byte[]> parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}

package org.litsxg.conformance.explore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges one observation against the model's state at the moment it is consumed: a reply
 * against the oldest line still waiting for one (with the server's own closes, WIRE-15), the end
 * of a connection against what may end it, a {@code MSG} line against what the connection may
 * receive next. An observation it cannot explain yet is left where it is (the model retries
 * it after other connections' events).
 */
final class Judge {

    private final ServerState state;
    private final ReplyRules rules;
    private final Limits limits;
    private final SeenLog seen;

    Judge(ServerState state, ReplyRules rules, Limits limits, SeenLog seen) {
        this.state = state;
        this.rules = rules;
        this.limits = limits;
        this.seen = seen;
    }

    /** Whether MSG lines that arrived before {@code e} still wait: they are judged before the end. */
    static boolean msgsBefore(Conn c, Obs e) {
        return e instanceof Obs.Ended && c.held.stream().anyMatch(g -> g.seq() < e.seq());
    }

    /** Consumes the reply or end {@code o} of {@code c} if the model can explain it now. */
    boolean consume(Conn c, Obs o, long now) {
        if (o instanceof Obs.Ended e) {
            // The end marks what is left unsent as lost; the MSG lines read before it were sent.
            return !msgsBefore(c, e) && consumeEnd(c, e);
        }
        Obs.Got g = (Obs.Got) o;
        if (!WireText.wellFramed(g.raw())) {
            return false;
        }
        String key = WireText.replyKey(g.raw());
        if (c.admission == Conn.Admission.PENDING) {
            if (key.equals("ERR server-full") && c.mayRefuse) {
                c.admission = Conn.Admission.REFUSED;
                c.decideClose("server-full", "LIMIT-3");
                seen.note(c, "reply", key);
                return true;
            }
            if (!c.mayAccept) {
                return false;
            }
            c.admission = Conn.Admission.ACCEPTED;
        }
        if (state.gone(c)) {
            return false;
        }
        if (key.equals("ERR session-replaced") && "session-replaced".equals(c.closeReason) && !c.sessionReplacedSeen) {
            // Owed (AUTH-9), or optional where it may have been lost with a stalled reader's output.
            c.sessionReplacedOwed = false;
            c.sessionReplacedSeen = true;
            seen.note(c, "reply", key);
            return true;
        }
        if (key.equals("ERR slow-consumer") && "slow-consumer".equals(c.closeReason)) {
            seen.note(c, "reply", key); // LIMIT-6, after a drop the model inferred from an OK queued
            return true;
        }
        if (c.closeReason != null) {
            return false; // WIRE-15: nothing after the close decision
        }
        if (consumeUnprompted(c, g, key)) {
            return true;
        }
        c.skipEmptyLines(); // WIRE-6: no reply
        if (c.unresolved.isEmpty()) {
            return false;
        }
        Line line = Line.of(c.unresolved.peek());
        Map<String, Runnable> allowed = new LinkedHashMap<>();
        rules.expect(c, line, allowed, new ArrayList<>(), g.seq());
        Runnable effect = allowed.get(key);
        if (effect == null) {
            return false;
        }
        c.unresolved.poll();
        effect.run();
        c.lastKind = line.kind();
        c.lastReply = key;
        seen.note(c, "reply", key);
        return true;
    }

    /** The errors the server sends of its own accord, each before it closes (AUTH-11, LIMIT-6, LIMIT-2). */
    private boolean consumeUnprompted(Conn c, Obs.Got g, String key) {
        switch (key) {
            case "ERR auth-timeout" -> {
                if (c.auth == null && g.at() >= c.connectAt + limits.authTimeoutNanos() - 100_000_000L) {
                    c.decideClose("auth-timeout", "AUTH-11");
                    seen.note(c, "reply", key);
                    return true;
                }
            }
            case "ERR slow-consumer" -> {
                if (c.everStalled) {
                    state.dropSlow(c);
                    seen.note(c, "reply", key);
                    return true;
                }
            }
            case "ERR line-too-long" -> {
                if (!c.owesReplies() && c.partial.size() > Line.MAX + 1) {
                    c.decideClose("line-too-long", "LIMIT-2");
                    seen.note(c, "reply", key);
                    return true;
                }
            }
            default -> {
            }
        }
        return false;
    }

    private boolean consumeEnd(Conn c, Obs.Ended e) {
        if (c.sessionReplacedOwed && !e.reset() && !state.gone(c)) {
            return false; // AUTH-9: the ERR session-replaced comes before the close
        }
        if (state.gone(c) || c.closeReason != null || c.everStalled) {
            if (c.everStalled && c.closeReason == null && !state.gone(c)) {
                state.dropSlow(c);
            }
            return end(c);
        }
        if (c.admission == Conn.Admission.PENDING && c.mayRefuse && e.reset()) {
            // A refusal whose ERR server-full was lost to a reset (the kit was still writing).
            c.admission = Conn.Admission.REFUSED;
            return end(c);
        }
        if (c.halfClosed && !c.owesReplies()) {
            return end(c); // WIRE-16
        }
        if (e.reset() && mayCloseOnPending(c)) {
            // The server closed on a line that ends the session while unread bytes of the client
            // were still in its socket: the kernel then resets the connection, and the client may
            // lose the last replies. Permissive: the spec cannot require what TCP drops.
            return end(c);
        }
        return false;
    }

    private boolean end(Conn c) {
        state.ended(c);
        seen.note(c, "end", null);
        return true;
    }

    private static boolean mayCloseOnPending(Conn c) {
        if (c.partial.size() > Line.MAX + 1) {
            return true;
        }
        for (byte[] l : c.unresolved) {
            Line.Kind k = Line.of(l).kind();
            if (k == Line.Kind.QUIT || k == Line.Kind.TOO_LONG || k == Line.Kind.AUTH && c.auth == null) {
                return true;
            }
        }
        return false;
    }

    /** Matches a held MSG against what the connection may receive next (ROUTE-6, QUEUE-3, LIMIT-7). */
    boolean matchMsg(Conn c, Obs.Got g) {
        if (!WireText.wellFramed(g.raw())) {
            return false;
        }
        boolean flushedBlocking = false;
        Set<String> blocked = new HashSet<>();
        for (int i = 0; i < c.expected.size(); i++) {
            Msg m = c.expected.get(i);
            if (m.flushed) {
                if (!flushedBlocking && Arrays.equals(m.line, g.raw()) && g.seq() > m.afterSeq) {
                    removeUpTo(c, i, m.from, true);
                    seen.note(c, "msg", g.text());
                    return true;
                }
                if (!m.lossy) {
                    flushedBlocking = true;
                }
                continue;
            }
            if (flushedBlocking) {
                return false;
            }
            if (blocked.contains(m.from)) {
                continue;
            }
            if (Arrays.equals(m.line, g.raw())) {
                removeUpTo(c, i, m.from, false);
                seen.note(c, "msg", g.text());
                return true;
            }
            if (!m.lossy) {
                blocked.add(m.from);
            }
        }
        return false;
    }

    /** Removes entry {@code i} and the lossy entries it skipped (they are lost). */
    private static void removeUpTo(Conn c, int i, String from, boolean flushed) {
        List<Msg> skipped = new ArrayList<>();
        for (int j = 0; j < i; j++) {
            Msg m = c.expected.get(j);
            if (m.lossy && (flushed ? m.flushed : !m.flushed && m.from.equals(from))) {
                skipped.add(m);
            }
        }
        c.expected.remove(i);
        c.expected.removeAll(skipped);
    }
}

package org.litsxg.conformance.explore;

import static org.litsxg.conformance.explore.WireText.escape;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the build still owes, or what nothing has explained, once the explorer stops waiting:
 * the first such thing as a {@link Divergence} with its clauses, the expected and actual, and
 * the step a scenario would check. A reply or close nothing explains says most about what went
 * wrong; then a stray {@code MSG}; then what is owed (replies, messages, closes, the auth
 * timeout).
 */
final class Diagnosis {

    private static final Divergence MARK = new Divergence(List.of(), "", "", "", null);

    private final ServerState state;
    private final ReplyRules rules;
    private final Limits limits;

    Diagnosis(ServerState state, ReplyRules rules, Limits limits) {
        this.state = state;
        this.rules = rules;
        this.limits = limits;
    }

    /** The first problem among {@code conns}; with {@code explain} false only whether there is one (a marker). */
    Divergence firstProblem(List<Conn> conns, long now, boolean explain) {
        for (Conn c : conns) {
            if (!c.clientClosed && !c.inbox.isEmpty() && !Judge.msgsBefore(c, c.inbox.peek())) {
                return explain ? explainHead(c, c.inbox.peek()) : MARK;
            }
        }
        for (Conn c : conns) {
            if (!c.clientClosed && !c.held.isEmpty() && (!c.stalled || !c.inbox.isEmpty())) {
                return explain ? explainMsg(c, c.held.get(0)) : MARK;
            }
        }
        for (Conn c : conns) {
            if (c.clientClosed || c.stalled || c.ended) {
                continue;
            }
            Divergence owed = owed(c, now, explain);
            if (owed != null) {
                return owed;
            }
        }
        return null;
    }

    /** What {@code c} is still owed: an admission decision, replies, messages, a close, the auth timeout. */
    private Divergence owed(Conn c, long now, boolean explain) {
        if (c.admission == Conn.Admission.PENDING && !c.mayAccept) {
            return explain ? new Divergence(List.of("LIMIT-3"), c.label, "\"ERR server-full\" and the close: "
                    + limits.maxConnections() + " connections were open", "nothing", c.label + " receives \"ERR server-full\"")
                    : MARK;
        }
        if (c.closeReason == null && !state.down && c.owesReplies()) {
            return explain ? missingReply(c) : MARK;
        }
        for (Msg m : c.expected) {
            if (!m.lossy) {
                String text = new String(m.line, StandardCharsets.UTF_8);
                return explain ? new Divergence(List.of(m.flushed ? "QUEUE-3" : "ROUTE-3", "ROUTE-5"), c.label,
                        "\"" + text + "\"", "it did not arrive", c.label + " receives \"" + escape(m.line) + "\"")
                        : MARK;
            }
        }
        boolean down = state.down;
        if (c.closeReason != null || down || c.halfClosed) {
            String clause = down ? "PROC-13" : c.halfClosed && c.closeReason == null ? "WIRE-16" : c.closeClause;
            if (c.sessionReplacedOwed) {
                return explain ? new Divergence(List.of("AUTH-9"), c.label, "\"ERR session-replaced\" and the close",
                        "nothing", c.label + " receives \"ERR session-replaced\" and is disconnected") : MARK;
            }
            return explain ? new Divergence(List.of(clause), c.label, "the server closes the connection ("
                    + (down ? "the server was stopped" : c.closeReason != null ? c.closeReason : "after a half-close") + ")",
                    "it stayed open", c.label + " is disconnected") : MARK;
        }
        if (c.auth == null && now > c.connectAt + limits.authTimeoutNanos() + limits.authSlackNanos()) {
            return explain ? new Divergence(List.of("AUTH-11"), c.label, "\"ERR auth-timeout\" and the close "
                    + limits.authTimeoutNanos() / 1_000_000_000.0 + " s after the connection was accepted",
                    "nothing within the slack of " + limits.authSlackNanos() / 1e9 + " s", c.label
                    + " receives \"ERR auth-timeout\" and is disconnected") : MARK;
        }
        return null;
    }

    private Divergence missingReply(Conn c) {
        byte[] l = c.unresolved.stream().filter(b -> Line.of(b).kind() != Line.Kind.EMPTY).findFirst().orElseThrow();
        Map<String, Runnable> allowed = new LinkedHashMap<>();
        List<String> clauses = new ArrayList<>();
        rules.expect(c, Line.of(l), allowed, clauses, Long.MAX_VALUE);
        List<String> all = new ArrayList<>(List.of("WIRE-9"));
        all.addAll(clauses);
        return new Divergence(all, c.label, "a reply " + allowed.keySet() + " to \"" + escape(l) + "\"", "nothing",
                allowed.size() == 1 ? c.label + " receives \"" + allowed.keySet().iterator().next() + "\"" : null);
    }

    private Divergence explainHead(Conn c, Obs o) {
        if (o instanceof Obs.Ended e) {
            return explainEnd(c, e);
        }
        Obs.Got g = (Obs.Got) o;
        String actual = "\"" + escape(g.raw()) + "\"";
        if (!WireText.wellFramed(g.raw())) {
            return new Divergence(List.of("WIRE-5"), c.label, "a line of valid UTF-8 ended by a bare LF", actual, null);
        }
        String key = WireText.replyKey(g.raw());
        if (!c.sentAny && c.closeReason == null && !state.down) {
            return new Divergence(List.of("WIRE-13", "FINAL-6"), c.label, "no line before the client's first line",
                    actual, "nothing arrives at " + c.label);
        }
        if (state.gone(c)) {
            return new Divergence(List.of("PROC-13", "WIRE-14"), c.label, "no line after the server was stopped", actual, null);
        }
        if (c.closeReason != null) {
            return new Divergence(List.of("WIRE-15", c.closeClause), c.label, "no line after the server decided to close ("
                    + c.closeReason + ")", actual, c.label + " is disconnected");
        }
        c.skipEmptyLines();
        if (c.unresolved.isEmpty()) {
            List<String> cl = key.startsWith("ERR ") ? List.of("WIRE-14") : List.of("WIRE-9");
            return new Divergence(cl, c.label, "no reply (no line of " + c.label + " was waiting for one)", actual,
                    c.label + " gets no reply");
        }
        byte[] l = c.unresolved.peek();
        Map<String, Runnable> allowed = new LinkedHashMap<>();
        List<String> clauses = new ArrayList<>();
        rules.expect(c, Line.of(l), allowed, clauses, g.seq());
        return new Divergence(clauses, c.label, "one of " + allowed.keySet() + " in reply to \"" + escape(l) + "\"",
                actual, allowed.size() == 1 ? c.label + " receives \"" + allowed.keySet().iterator().next() + "\"" : null);
    }

    /** Why an end nothing explains is wrong: what the connection should have had before, or instead. */
    private Divergence explainEnd(Conn c, Obs.Ended e) {
        List<String> clauses = new ArrayList<>();
        String why;
        if (c.sessionReplacedOwed) {
            return new Divergence(List.of("AUTH-9"), c.label, "\"ERR session-replaced\" before the close",
                    "the connection closed without it", c.label + " receives \"ERR session-replaced\" and is disconnected");
        }
        if (c.owesReplies()) {
            clauses.add("WIRE-9");
            clauses.add(c.halfClosed ? "WIRE-16" : "WIRE-15");
            why = "replies to the lines sent before the close";
        } else if (c.lastKind == Line.Kind.BAD_ENCODING) {
            clauses.add("WIRE-7");
            why = "the connection to stay open after ERR bad-encoding";
        } else if ("ERR auth-failed".equals(c.lastReply)) {
            clauses.add("AUTH-4");
            why = "the connection to stay open after the " + c.fails + (c.fails == 1 ? "st" : "nd") + " ERR auth-failed";
        } else if (c.auth != null) {
            clauses.add("AUTH-12");
            why = "the authenticated connection to stay open";
        } else {
            clauses.add("WIRE-1");
            why = "the connection to stay open";
        }
        return new Divergence(clauses, c.label, why, e.reset() ? "the connection was reset" : "the server closed the connection"
                + (e.tail().length > 0 ? " after an unterminated \"" + escape(e.tail()) + "\"" : ""),
                c.owesReplies() ? missingReply(c).step() : c.label + " is still connected");
    }

    private Divergence explainMsg(Conn c, Obs.Got g) {
        String text = g.text();
        ServerState.Fate fate = c.auth == null ? null : state.fate(c.auth, g.raw());
        for (Msg m : c.expected) {
            if (Arrays.equals(m.line, g.raw())) {
                return new Divergence(m.flushed ? List.of("QUEUE-3", "ROUTE-6") : List.of("ROUTE-6"), c.label,
                        "the messages in the order the server accepted them (queued ones first, oldest first)",
                        "\"" + escape(g.raw()) + "\" out of order", null);
            }
        }
        if (fate == ServerState.Fate.QUEUED_BEFORE_A_RESTART) {
            return new Divergence(List.of("QUEUE-5", "UPG-4"), c.label, "no message queued before the restart",
                    "\"" + text + "\"", c.label + " receives no message");
        }
        if (fate == ServerState.Fate.FLUSHED || fate == ServerState.Fate.DELIVERED) {
            return new Divergence(List.of("QUEUE-4"), c.label, "a message only once", "\"" + text + "\" again",
                    c.label + " receives no message");
        }
        return new Divergence(List.of("SEC-2", "ROUTE-5"), c.label, "no MSG but those sent to " + (c.auth == null
                ? "it (it is not authenticated)" : c.auth), "\"" + escape(g.raw()) + "\"", c.label + " receives no message");
    }
}

package org.litsxg.conformance.explore;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An executable model of spec/litsxg.md for one server (and its restarts) and the client
 * connections the explorer opens to it. The explorer tells it what the clients did
 * ({@link #connected}, {@link #sent}, {@link #halfClosed}, {@link #clientClosed}, {@link #stall},
 * {@link #serverStopping}, {@link #serverStarted}) and what the server did ({@link #observe});
 * the model says whether that is allowed, and once the explorer has given the build time, what
 * it still owes ({@link #settled}, {@link #stuck}).
 *
 * <p><b>How it decides.</b> The model is lazy: a line a client sent is judged when the reply
 * that answers it arrives, against the state at that moment, so a freedom of the spec (which of
 * two outcomes the build picked) is resolved by what the build did, and the model follows it.
 * Each connection has an inbox of replies and closes, consumed strictly in order; {@code MSG}
 * lines are held apart and matched whenever they can be, because WIRE-12 lets them arrive
 * between any two replies (and ROUTE-8 lets a self-sent {@code MSG} come before or after its
 * {@code OK delivered}). An observation the model cannot explain yet is kept, not rejected: it
 * may be explained by an event on another connection that is consumed later (a
 * {@code ERR session-replaced} read before the other connection's {@code OK authenticated}, a
 * {@code MSG} read before its sender's {@code OK delivered}). Only when the explorer has given
 * up waiting does whatever is still unexplained, or still owed, become a {@link Divergence}.
 *
 * <p><b>Freedoms it encodes</b> (each with its clause): free text after the reply word (WIRE-11;
 * also after {@code PONG}, see {@link WireText#replyKey}); {@code MSG} lines anywhere between replies
 * (WIRE-12), per-sender order only (ROUTE-6), queued messages first and oldest first after the
 * reply to {@code AUTH} (QUEUE-3); self-send order (ROUTE-8); messages to a connection that was
 * dropped as a slow consumer may be lost (LIMIT-7), the reply to the {@code SEND} that drops it
 * is {@code OK delivered} or {@code OK queued} (LIMIT-8), {@code ERR slow-consumer} is optional
 * (LIMIT-6); a connection the kit closed is still "connected" for a short while, until the server
 * has noticed (ROUTE-9 speaks of the moment the connection ends, which the kit cannot see);
 * whether a new connection is refused while closed connections may still count (LIMIT-3,
 * HOST-3); the exact moment of the auth timeout (AUTH-11) within a slack.
 *
 * <p><b>Where.</b> Per connection: {@link Conn}; the server's names, queues and restarts:
 * {@link ServerState}; the replies allowed to a line: {@link ReplyRules}; judging a reply, an
 * end or a {@code MSG} when it is consumed: {@link Judge}; what is owed or unexplained at the
 * end, as a divergence: {@link Diagnosis}.
 *
 * <p>Not thread-safe: the explorer's one thread calls it.
 */
final class Model {

    private final Limits limits;
    private final ServerState state = new ServerState();
    private final SeenLog seen = new SeenLog();
    private final Judge judge;
    private final Diagnosis diagnosis;
    private final List<Conn> conns = new ArrayList<>();
    private int connCount;

    Model(Limits limits) {
        this.limits = limits;
        ReplyRules rules = new ReplyRules(state, limits);
        this.judge = new Judge(state, rules, limits, seen);
        this.diagnosis = new Diagnosis(state, rules, limits);
    }

    Limits limits() {
        return limits;
    }

    void onSeen(Consumer<Seen> l) {
        seen.onSeen(l);
    }

    List<Conn> conns() {
        return conns;
    }

    Map<String, byte[]> identities() {
        return state.identities;
    }

    /** Whether {@code name} is connected as far as the model knows for sure. */
    boolean isOnline(String name) {
        return state.isOnline(name);
    }

    int queued(String name) {
        return state.queued(name);
    }

    // ------------------------------------------------------------------ client actions

    /** A new connection was made (the TCP connect returned); {@code connectAt} is before connect(). */
    Conn connected(String label, long connectAt, long now) {
        Conn c = new Conn(++connCount, label, connectAt, state.epoch);
        int sure = 0;
        int maybe = 0;
        for (Conn x : conns) {
            if (!x.serverSideOpen(now, state.epoch, limits.noticeNanos())) {
                continue;
            }
            boolean certain = x.admission == Conn.Admission.ACCEPTED && !x.clientClosed && x.closeReason == null
                    && !x.everStalled;
            if (certain) {
                sure++;
            } else {
                maybe++;
            }
        }
        // LIMIT-3: refused while N are open; accepted once fewer are. Connections whose end the
        // server may not have seen yet (HOST-3: the server's own closes free the slot when it
        // closes; the kit's closes when the server notices) may count either way.
        c.mayAccept = sure + maybe < limits.maxConnections() || sure < limits.maxConnections() && maybe > 0;
        c.mayRefuse = sure + maybe >= limits.maxConnections();
        if (sure + maybe < limits.maxConnections()) {
            c.mayRefuse = false;
        }
        if (sure >= limits.maxConnections()) {
            c.mayAccept = false;
        }
        conns.add(c);
        return c;
    }

    /**
     * The kit's readiness probe after a start: a TCP connection opened and closed at once. Until
     * the server notices its end it may count towards the connection limit (LIMIT-3, HOST-3).
     */
    void probed(long now) {
        Conn p = new Conn(++connCount, "probe", now, state.epoch);
        p.clientClosed = true;
        p.clientClosedAt = now;
        conns.add(p);
    }

    /** Bytes the client wrote (the whole write; the model splits lines). */
    void sent(Conn c, byte[] bytes) {
        if (c.clientClosed || c.halfClosed) {
            return;
        }
        for (byte b : bytes) {
            if (b == '\n') {
                c.unresolved.add(c.partial.toByteArray());
                c.partial.reset();
                c.sentAny = true;
            } else if (c.partial.size() <= Line.MAX + 2) {
                c.partial.write(b);
            } else {
                // Only the length matters past the limit: keep one byte more to stay "too long".
                c.sentAny = true;
            }
        }
    }

    /** The client half-closed: an unterminated remainder is discarded without a reply (WIRE-16). */
    void halfClosed(Conn c) {
        c.halfClosed = true;
        c.partial.reset();
    }

    /** The kit closed or reset the connection: nothing more is observed on it. */
    void clientClosed(Conn c, long now) {
        if (c.clientClosed) {
            return;
        }
        c.clientClosed = true;
        c.clientClosedAt = now;
    }

    /** The client stops (true) or resumes (false) reading. */
    void stall(Conn c, boolean on) {
        c.stalled = on;
        if (on) {
            c.everStalled = true;
        }
    }

    /** SIGTERM or SIGKILL sent: every connection ends; nothing else may arrive (PROC-13, PROC-15). */
    void serverStopping() {
        state.down = true;
    }

    /** A new process on the same data directory: identities kept, everything else lost (STORE-2, QUEUE-5, PROC-15). */
    void serverStarted() {
        state.restarted();
    }

    boolean isDown() {
        return state.down;
    }

    // ------------------------------------------------------------------ observations

    void observe(Obs o) {
        Conn c = o.conn();
        if (c.clientClosed && o instanceof Obs.Ended) {
            return;
        }
        if (o instanceof Obs.Got g && g.isMsg()) {
            c.held.add(g);
        } else {
            c.inbox.add(o);
        }
    }

    /** Consumes whatever can be explained now. */
    void progress(long now) {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (Conn c : conns) {
                while (!c.inbox.isEmpty() && judge.consume(c, c.inbox.peek(), now)) {
                    c.inbox.poll();
                    moved = true;
                }
                for (Iterator<Obs.Got> it = c.held.iterator(); it.hasNext(); ) {
                    Obs.Got g = it.next();
                    if (judge.matchMsg(c, g)) {
                        it.remove();
                        moved = true;
                    } else if (!c.everStalled) {
                        break; // keep this connection's MSG lines in their order
                    }
                }
            }
        }
    }

    /** How often each reply, MSG line and close was seen and accepted: what a run exercised. */
    Map<String, Integer> counts() {
        return seen.counts();
    }

    List<Seen> seen() {
        return seen.seen();
    }

    /** Forgets connections that can no longer matter (ended, or closed by the kit long enough ago). */
    void prune(long now) {
        conns.removeIf(c -> c.inbox.isEmpty() && c.held.isEmpty()
                && (c.ended || c.clientClosed && now - c.clientClosedAt > limits.noticeNanos()));
    }

    // ------------------------------------------------------------------ settling

    /** Whether some observation waits for an explanation (rather than the build owing something). */
    boolean hasUnexplained() {
        for (Conn c : conns) {
            if (!c.clientClosed && (!c.inbox.isEmpty() || !c.held.isEmpty() && !c.stalled)) {
                return true;
            }
        }
        return false;
    }

    /** Whether nothing is owed and nothing is unexplained (stalled and closed-by-kit connections aside). */
    boolean settled(long now) {
        return diagnosis.firstProblem(conns, now, false) == null;
    }

    /** What is owed or unexplained, as a divergence, once the explorer has waited long enough. */
    Divergence stuck(long now) {
        return diagnosis.firstProblem(conns, now, true);
    }
}

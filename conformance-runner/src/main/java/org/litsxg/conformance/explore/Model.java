package org.litsxg.conformance.explore;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * also after {@code PONG}, see {@link #replyKey}); {@code MSG} lines anywhere between replies
 * (WIRE-12), per-sender order only (ROUTE-6), queued messages first and oldest first after the
 * reply to {@code AUTH} (QUEUE-3); self-send order (ROUTE-8); messages to a connection that was
 * dropped as a slow consumer may be lost (LIMIT-7), the reply to the {@code SEND} that drops it
 * is {@code OK delivered} or {@code OK queued} (LIMIT-8), {@code ERR slow-consumer} is optional
 * (LIMIT-6); a connection the kit closed is still "connected" for a short while, until the server
 * has noticed (ROUTE-9 speaks of the moment the connection ends, which the kit cannot see);
 * whether a new connection is refused while closed connections may still count (LIMIT-3,
 * HOST-3); the exact moment of the auth timeout (AUTH-11) within a slack.
 *
 * <p>Not thread-safe: the explorer's one thread calls it.
 */
final class Model {

    /** The limits the server was started with (placeholders), and the time slack. */
    record Limits(int maxQueued, int maxConnections, long authTimeoutNanos, long maxPendingBytes, double timescale) {

        /** How late the auth timeout may fire (AUTH-11 gives no tolerance; timers and a busy machine need one). */
        long authSlackNanos() {
            return (long) (1_500_000_000L * timescale);
        }

        /**
         * How long after the kit closed or reset a connection the server may still treat it as
         * open (its name connected, its slot counted). Permissive: the spec has no bound.
         */
        long noticeNanos() {
            return (long) (3_000_000_000L * timescale);
        }
    }

    /** Something the server did, as a client connection saw it. */
    sealed interface Obs permits Got, Ended {
        Conn conn();

        long seq();

        long at();
    }

    /** A line (without its LF). */
    record Got(Conn conn, long seq, long at, byte[] raw) implements Obs {
        boolean isMsg() {
            return raw.length >= 4 && raw[0] == 'M' && raw[1] == 'S' && raw[2] == 'G' && raw[3] == ' ';
        }

        String text() {
            return new String(raw, StandardCharsets.UTF_8);
        }
    }

    /** The end of the connection: end of stream, or a reset; {@code tail} an unterminated remainder. */
    record Ended(Conn conn, long seq, long at, boolean reset, byte[] tail) implements Obs {
    }

    enum Admission { PENDING, ACCEPTED, REFUSED }

    /** A {@code MSG} the model expects on a connection. */
    static final class Msg {
        final String from;
        final byte[] line;
        final boolean flushed;
        final long afterSeq;
        boolean lossy;

        Msg(String from, byte[] line, boolean flushed, long afterSeq) {
            this.from = from;
            this.line = line;
            this.flushed = flushed;
            this.afterSeq = afterSeq;
        }
    }

    /** What the model knows of one client connection. */
    final class Conn {
        final int id;
        final String label;
        final long connectAt;
        Admission admission = Admission.PENDING;
        boolean mayAccept;
        boolean mayRefuse;
        String auth;
        int fails;
        /** Why the server has decided to close it (WIRE-15), or null. */
        String closeReason;
        String closeClause;
        boolean ended;
        boolean clientClosed;
        long clientClosedAt;
        boolean halfClosed;
        boolean stalled;
        boolean everStalled;
        boolean sentAny;
        /** AUTH-9: this connection was replaced and still owes its ERR session-replaced. */
        boolean sessionReplacedOwed;
        boolean sessionReplacedSeen;
        /** The kind of the last line answered, and its reply: for attributing an unexpected close. */
        Line.Kind lastKind;
        String lastReply;
        final int epoch;
        final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        final Deque<byte[]> unresolved = new ArrayDeque<>();
        final Deque<Obs> inbox = new ArrayDeque<>();
        final List<Got> held = new ArrayList<>();
        final List<Msg> expected = new ArrayList<>();

        Conn(int id, String label, long connectAt, int epoch) {
            this.id = id;
            this.label = label;
            this.connectAt = connectAt;
            this.epoch = epoch;
        }

        /** Whether the server may still hold this connection open. */
        boolean serverSideOpen(long now) {
            if (admission == Admission.REFUSED || ended || epoch != Model.this.epoch) {
                return false;
            }
            return !clientClosed || now - clientClosedAt < limits.noticeNanos();
        }

        /** Unresolved lines that need a reply. */
        boolean owesReplies() {
            for (byte[] l : unresolved) {
                if (Line.of(l).kind() != Line.Kind.EMPTY) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** One observation the model accepted, for the transcript and the Gherkin writer. */
    record Seen(String conn, String kind, String text) {
    }

    private final Limits limits;
    private final Map<String, byte[]> identities = new HashMap<>();
    private final Map<String, Integer> registeredEpoch = new HashMap<>();
    private final Map<String, Conn> online = new HashMap<>();
    private final Map<String, List<Msg>> queues = new HashMap<>();
    /** Every MSG line the model ever expected, with what became of it: for attributing a stray one. */
    private final Map<String, String> history = new HashMap<>();
    private final List<Conn> conns = new ArrayList<>();
    private final List<Seen> seen = new ArrayList<>();
    private int epoch;
    private int connCount;
    private boolean down;
    private Consumer<Seen> listener = s -> { };

    Model(Limits limits) {
        this.limits = limits;
    }

    Limits limits() {
        return limits;
    }

    void onSeen(Consumer<Seen> l) {
        this.listener = l;
    }

    List<Conn> conns() {
        return conns;
    }

    Map<String, byte[]> identities() {
        return identities;
    }

    /** Whether {@code name} is connected as far as the model knows for sure. */
    boolean isOnline(String name) {
        Conn c = online.get(name);
        return c != null && !c.ended && !c.clientClosed && c.closeReason == null;
    }

    int queued(String name) {
        List<Msg> q = queues.get(name);
        return q == null ? 0 : q.size();
    }

    // ------------------------------------------------------------------ client actions

    /** A new connection was made (the TCP connect returned); {@code connectAt} is before connect(). */
    Conn connected(String label, long connectAt, long now) {
        Conn c = new Conn(++connCount, label, connectAt, epoch);
        int sure = 0;
        int maybe = 0;
        for (Conn x : conns) {
            if (!x.serverSideOpen(now)) {
                continue;
            }
            boolean certain = x.admission == Admission.ACCEPTED && !x.clientClosed && x.closeReason == null
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
        Conn p = new Conn(++connCount, "probe", now, epoch);
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
        down = true;
    }

    /** A new process on the same data directory: identities kept, everything else lost (STORE-2, QUEUE-5, PROC-15). */
    void serverStarted() {
        down = false;
        epoch++;
        for (Map.Entry<String, List<Msg>> q : queues.entrySet()) {
            for (Msg m : q.getValue()) {
                history.put(key(q.getKey(), m.line), "queued before a restart (QUEUE-5)");
            }
        }
        queues.clear();
        online.clear();
    }

    boolean isDown() {
        return down;
    }

    // ------------------------------------------------------------------ observations

    void observe(Obs o) {
        Conn c = o.conn();
        if (c.clientClosed && o instanceof Ended) {
            return;
        }
        if (o instanceof Got g && g.isMsg()) {
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
                while (!c.inbox.isEmpty() && consume(c, c.inbox.peek(), now)) {
                    c.inbox.poll();
                    moved = true;
                }
                for (Iterator<Got> it = c.held.iterator(); it.hasNext(); ) {
                    Got g = it.next();
                    if (matchMsg(c, g)) {
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
    private final Map<String, Integer> counts = new java.util.TreeMap<>();

    Map<String, Integer> counts() {
        return counts;
    }

    private void note(Conn c, String kind, String text) {
        counts.merge(kind.equals("reply") ? text : kind.equals("msg") ? "MSG" : "close", 1, Integer::sum);
        Seen s = new Seen(c.label, kind, text);
        seen.add(s);
        listener.accept(s);
    }

    /** The first two tokens of a reply; "PONG" for a PONG with or without free text (WIRE-11, permissive). */
    static String replyKey(byte[] raw) {
        String t = new String(raw, StandardCharsets.UTF_8);
        if (t.equals("PONG") || t.startsWith("PONG ")) {
            return "PONG";
        }
        String[] p = t.split(" ", 3);
        return p.length >= 2 ? p[0] + " " + p[1] : t;
    }

    /** WIRE-5: valid UTF-8 and no CR before the LF. */
    static boolean wellFramed(byte[] raw) {
        if (raw.length > 0 && raw[raw.length - 1] == '\r') {
            return false;
        }
        return Arrays.equals(new String(raw, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8), raw);
    }

    /** Whether MSG lines that arrived before {@code e} still wait: they are judged before the end. */
    private static boolean msgsBefore(Conn c, Obs e) {
        return e instanceof Ended && c.held.stream().anyMatch(g -> g.seq() < e.seq());
    }

    private boolean consume(Conn c, Obs o, long now) {
        if (o instanceof Ended e) {
            // The end marks what is left unsent as lost; the MSG lines read before it were sent.
            return !msgsBefore(c, e) && consumeEnd(c, e);
        }
        Got g = (Got) o;
        if (!wellFramed(g.raw())) {
            return false;
        }
        String key = replyKey(g.raw());
        if (c.admission == Admission.PENDING) {
            if (key.equals("ERR server-full") && c.mayRefuse) {
                c.admission = Admission.REFUSED;
                decideClose(c, "server-full", "LIMIT-3");
                note(c, "reply", key);
                return true;
            }
            if (!c.mayAccept) {
                return false;
            }
            c.admission = Admission.ACCEPTED;
        }
        if (down || c.epoch != epoch) {
            return false;
        }
        if (key.equals("ERR session-replaced") && "session-replaced".equals(c.closeReason) && !c.sessionReplacedSeen) {
            // Owed (AUTH-9), or optional where it may have been lost with a stalled reader's output.
            c.sessionReplacedOwed = false;
            c.sessionReplacedSeen = true;
            note(c, "reply", key);
            return true;
        }
        if (key.equals("ERR slow-consumer") && "slow-consumer".equals(c.closeReason)) {
            note(c, "reply", key); // LIMIT-6, after a drop the model inferred from an OK queued
            return true;
        }
        if (c.closeReason != null) {
            return false; // WIRE-15: nothing after the close decision
        }
        switch (key) {
            case "ERR auth-timeout" -> {
                if (c.auth == null && g.at() >= c.connectAt + limits.authTimeoutNanos() - 100_000_000L) {
                    decideClose(c, "auth-timeout", "AUTH-11");
                    note(c, "reply", key);
                    return true;
                }
            }
            case "ERR slow-consumer" -> {
                if (c.everStalled) {
                    dropSlow(c);
                    note(c, "reply", key);
                    return true;
                }
            }
            case "ERR line-too-long" -> {
                if (!c.owesReplies() && c.partial.size() > Line.MAX + 1) {
                    decideClose(c, "line-too-long", "LIMIT-2");
                    note(c, "reply", key);
                    return true;
                }
            }
            default -> {
            }
        }
        while (!c.unresolved.isEmpty() && Line.of(c.unresolved.peek()).kind() == Line.Kind.EMPTY) {
            c.unresolved.poll(); // WIRE-6: no reply
        }
        if (c.unresolved.isEmpty()) {
            return false;
        }
        Line line = Line.of(c.unresolved.peek());
        Map<String, Runnable> allowed = new LinkedHashMap<>();
        expect(c, line, allowed, new ArrayList<>(), g.seq());
        Runnable effect = allowed.get(key);
        if (effect == null) {
            return false;
        }
        c.unresolved.poll();
        effect.run();
        c.lastKind = line.kind();
        c.lastReply = key;
        note(c, "reply", key);
        return true;
    }

    private boolean consumeEnd(Conn c, Ended e) {
        if (c.sessionReplacedOwed && !e.reset() && !down && c.epoch == epoch) {
            return false; // AUTH-9: the ERR session-replaced comes before the close
        }
        if (down || c.epoch != epoch || c.closeReason != null || c.everStalled) {
            if (c.everStalled && c.closeReason == null && !down && c.epoch == epoch) {
                dropSlow(c);
            }
            ended(c);
            note(c, "end", null);
            return true;
        }
        if (c.admission == Admission.PENDING && c.mayRefuse && e.reset()) {
            // A refusal whose ERR server-full was lost to a reset (the kit was still writing).
            c.admission = Admission.REFUSED;
            ended(c);
            note(c, "end", null);
            return true;
        }
        if (c.halfClosed && !c.owesReplies()) {
            ended(c); // WIRE-16
            note(c, "end", null);
            return true;
        }
        if (e.reset() && mayCloseOnPending(c)) {
            // The server closed on a line that ends the session while unread bytes of the client
            // were still in its socket: the kernel then resets the connection, and the client may
            // lose the last replies. Permissive: the spec cannot require what TCP drops.
            ended(c);
            note(c, "end", null);
            return true;
        }
        return false;
    }

    private boolean mayCloseOnPending(Conn c) {
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

    private void ended(Conn c) {
        c.ended = true;
        c.unresolved.clear();
        if (c.auth != null && online.get(c.auth) == c) {
            online.remove(c.auth); // ROUTE-9
        }
        for (Msg m : c.expected) {
            m.lossy = true;
        }
    }

    /** LIMIT-4: the server drops a slow consumer; what it had not sent may be lost (LIMIT-7). */
    private void dropSlow(Conn c) {
        decideClose(c, "slow-consumer", "LIMIT-4");
        for (Msg m : c.expected) {
            m.lossy = true;
        }
        if (c.auth != null && online.get(c.auth) == c) {
            online.remove(c.auth); // LIMIT-9
        }
    }

    private void decideClose(Conn c, String reason, String clause) {
        if (c.closeReason == null) {
            c.closeReason = reason;
            c.closeClause = clause;
        }
        c.unresolved.clear(); // WIRE-15: no reply to anything after the decision
        c.partial.reset();
    }

    /**
     * The replies the spec allows to {@code line} on {@code c} now, each with its effect on the
     * model, and the clauses behind them. {@code seq} is the sequence number of the reply being
     * judged (queued messages must come after it, QUEUE-3).
     */
    private void expect(Conn c, Line line, Map<String, Runnable> allowed, List<String> clauses, long seq) {
        switch (line.kind()) {
            case EMPTY -> {
            }
            case TOO_LONG -> {
                allowed.put("ERR line-too-long", () -> decideClose(c, "line-too-long", "LIMIT-2"));
                clauses.addAll(List.of("LIMIT-2", "CMD-5"));
            }
            case BAD_ENCODING -> {
                allowed.put("ERR bad-encoding", () -> { });
                clauses.addAll(List.of("WIRE-7", "WIRE-8"));
            }
            case UNKNOWN -> {
                allowed.put("ERR unknown-command", () -> { });
                clauses.addAll(List.of("CMD-1", "FINAL-5"));
            }
            case SYNTAX -> {
                allowed.put("ERR syntax", () -> { });
                clauses.addAll(List.of("CMD-2", "CMD-3"));
            }
            case PING -> {
                allowed.put("PONG", () -> { });
                clauses.add("CMD-13");
            }
            case QUIT -> {
                allowed.put("OK bye", () -> decideClose(c, "bye", "CMD-14"));
                clauses.add("CMD-14");
            }
            case AUTH -> expectAuth(c, line, allowed, clauses, seq);
            case SEND -> expectSend(c, line, allowed, clauses);
        }
    }

    private void expectAuth(Conn c, Line line, Map<String, Runnable> allowed, List<String> clauses, long seq) {
        String name = line.name();
        if (c.auth != null) {
            allowed.put("ERR already-authenticated", () -> { });
            clauses.add("AUTH-7");
            return;
        }
        byte[] secret = identities.get(name);
        if (secret == null) {
            allowed.put("OK registered", () -> {
                identities.put(name, line.arg());
                registeredEpoch.put(name, epoch);
                login(c, name, seq);
            });
            clauses.add("AUTH-1");
            return;
        }
        if (registeredEpoch.getOrDefault(name, epoch) < epoch) {
            clauses.addAll(List.of("STORE-2", "UPG-5"));
        }
        if (Arrays.equals(secret, line.arg())) {
            allowed.put("OK authenticated", () -> login(c, name, seq));
            clauses.add("AUTH-3");
            if (isOnline(name)) {
                clauses.addAll(List.of("AUTH-8", "AUTH-9"));
            }
        } else {
            allowed.put("ERR auth-failed", () -> {
                c.fails++;
                if (c.fails >= 3) {
                    decideClose(c, "third auth-failed", "AUTH-5");
                }
            });
            clauses.addAll(List.of("AUTH-4", "AUTH-6"));
        }
    }

    private void login(Conn c, String name, long seq) {
        c.auth = name;
        Conn old = online.put(name, c);
        if (old != null && old != c && !old.ended && old.closeReason == null) {
            // AUTH-9: the older connection gets ERR session-replaced and is closed. Whatever it
            // had not yet been sent may be lost with it (permissive: the spec says nothing of it).
            decideClose(old, "session-replaced", "AUTH-9");
            old.sessionReplacedOwed = !old.clientClosed && !old.everStalled;
            for (Msg m : old.expected) {
                m.lossy = true;
            }
        }
        List<Msg> q = queues.remove(name);
        if (q != null) {
            for (Msg m : q) {
                Msg f = new Msg(m.from, m.line, true, seq);
                c.expected.add(f); // QUEUE-3: oldest first, after the reply
                history.put(key(name, m.line), "flushed");
            }
        }
    }

    private void expectSend(Conn c, Line line, Map<String, Runnable> allowed, List<String> clauses) {
        String to = line.name();
        if (c.auth == null) {
            allowed.put("ERR not-authenticated", () -> { });
            clauses.addAll(List.of("ROUTE-1", "SEC-3"));
            return;
        }
        if (!identities.containsKey(to)) {
            allowed.put("ERR unknown-recipient", () -> { });
            clauses.add("ROUTE-2");
            return;
        }
        byte[] msgLine = msgLine(c.auth, line.arg());
        String from = c.auth;
        Conn target = online.get(to);
        long now = System.nanoTime();
        boolean maybeGone = target != null && (target.clientClosed || target.everStalled);
        if (target != null && target.clientClosed && now - target.clientClosedAt >= limits.noticeNanos()) {
            online.remove(to);
            target = null;
            maybeGone = false;
        }
        if (target != null) {
            Conn t = target;
            allowed.put("OK delivered", () -> {
                if (!t.clientClosed) {
                    Msg m = new Msg(from, msgLine, false, 0);
                    m.lossy = t.closeReason != null;
                    t.expected.add(m);
                    history.put(key(to, msgLine), "delivered");
                }
            });
            clauses.addAll(List.of("ROUTE-3", "ROUTE-4"));
            if (!maybeGone) {
                return;
            }
            // The recipient's connection may have ended (the kit closed it and the server may
            // have noticed, ROUTE-9), or this very SEND may push it past the pending output limit
            // (LIMIT-8): then OK queued, and the name is offline from here on (LIMIT-9).
            allowed.put("OK queued", () -> {
                if (t.everStalled && !t.clientClosed) {
                    dropSlow(t);
                }
                if (online.get(to) == t) {
                    online.remove(to);
                }
                enqueue(to, from, msgLine);
            });
            clauses.addAll(List.of("LIMIT-8", "LIMIT-9", "ROUTE-9"));
            return;
        }
        if (queued(to) >= limits.maxQueued()) {
            allowed.put("ERR queue-full", () -> { });
            clauses.add("QUEUE-2");
        } else {
            allowed.put("OK queued", () -> enqueue(to, from, msgLine));
            clauses.addAll(List.of("QUEUE-1", "ROUTE-9"));
        }
    }

    private void enqueue(String to, String from, byte[] line) {
        queues.computeIfAbsent(to, k -> new ArrayList<>()).add(new Msg(from, line, false, 0));
        history.put(key(to, line), "queued");
    }

    static byte[] msgLine(String from, byte[] text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("MSG " + from + " ").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(text);
        return out.toByteArray();
    }

    private static String key(String to, byte[] line) {
        return to + "\u0000" + new String(line, StandardCharsets.ISO_8859_1);
    }

    /** Matches a held MSG against what the connection may receive next (ROUTE-6, QUEUE-3, LIMIT-7). */
    private boolean matchMsg(Conn c, Got g) {
        if (!wellFramed(g.raw())) {
            return false;
        }
        boolean flushedBlocking = false;
        Set<String> blocked = new HashSet<>();
        for (int i = 0; i < c.expected.size(); i++) {
            Msg m = c.expected.get(i);
            if (m.flushed) {
                if (!flushedBlocking && Arrays.equals(m.line, g.raw()) && g.seq() > m.afterSeq) {
                    removeUpTo(c, i, m.from, true);
                    note(c, "msg", g.text());
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
                note(c, "msg", g.text());
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
        return firstProblem(now, false) == null;
    }

    /** What is owed or unexplained, as a divergence, once the explorer has waited long enough. */
    Divergence stuck(long now) {
        return firstProblem(now, true);
    }

    private Divergence firstProblem(long now, boolean explain) {
        // A reply or close nothing explains says most about what went wrong; then a stray MSG;
        // then what is owed.
        for (Conn c : conns) {
            if (!c.clientClosed && !c.inbox.isEmpty() && !msgsBefore(c, c.inbox.peek())) {
                return explain ? explainHead(c, c.inbox.peek()) : MARK;
            }
        }
        for (Conn c : conns) {
            if (!c.clientClosed && !c.held.isEmpty() && (!c.stalled || !c.inbox.isEmpty())) {
                return explain ? explainMsg(c, c.held.get(0)) : MARK;
            }
        }
        for (Conn c : conns) {
            if (c.clientClosed) {
                continue;
            }
            if (c.stalled || c.ended) {
                continue;
            }
            if (c.admission == Admission.PENDING && !c.mayAccept) {
                return explain ? new Divergence(List.of("LIMIT-3"), c.label, "\"ERR server-full\" and the close: "
                        + limits.maxConnections() + " connections were open", "nothing", c.label + " receives \"ERR server-full\"")
                        : MARK;
            }
            if (c.closeReason == null && !down && c.owesReplies()) {
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
        }
        return null;
    }

    private static final Divergence MARK = new Divergence(List.of(), "", "", "", null);

    private Divergence missingReply(Conn c) {
        byte[] l = c.unresolved.stream().filter(b -> Line.of(b).kind() != Line.Kind.EMPTY).findFirst().orElseThrow();
        Map<String, Runnable> allowed = new LinkedHashMap<>();
        List<String> clauses = new ArrayList<>();
        expect(c, Line.of(l), allowed, clauses, Long.MAX_VALUE);
        List<String> all = new ArrayList<>(List.of("WIRE-9"));
        all.addAll(clauses);
        return new Divergence(all, c.label, "a reply " + allowed.keySet() + " to \"" + escape(l) + "\"", "nothing",
                allowed.size() == 1 ? c.label + " receives \"" + allowed.keySet().iterator().next() + "\"" : null);
    }

    private Divergence explainHead(Conn c, Obs o) {
        if (o instanceof Ended e) {
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
        Got g = (Got) o;
        String actual = "\"" + escape(g.raw()) + "\"";
        if (!wellFramed(g.raw())) {
            return new Divergence(List.of("WIRE-5"), c.label, "a line of valid UTF-8 ended by a bare LF", actual, null);
        }
        String key = replyKey(g.raw());
        if (!c.sentAny && c.closeReason == null && !down) {
            return new Divergence(List.of("WIRE-13", "FINAL-6"), c.label, "no line before the client's first line",
                    actual, "nothing arrives at " + c.label);
        }
        if (down || c.epoch != epoch) {
            return new Divergence(List.of("PROC-13", "WIRE-14"), c.label, "no line after the server was stopped", actual, null);
        }
        if (c.closeReason != null) {
            return new Divergence(List.of("WIRE-15", c.closeClause), c.label, "no line after the server decided to close ("
                    + c.closeReason + ")", actual, c.label + " is disconnected");
        }
        while (!c.unresolved.isEmpty() && Line.of(c.unresolved.peek()).kind() == Line.Kind.EMPTY) {
            c.unresolved.poll();
        }
        if (c.unresolved.isEmpty()) {
            List<String> cl = key.startsWith("ERR ") ? List.of("WIRE-14") : List.of("WIRE-9");
            return new Divergence(cl, c.label, "no reply (no line of " + c.label + " was waiting for one)", actual,
                    c.label + " gets no reply");
        }
        byte[] l = c.unresolved.peek();
        Map<String, Runnable> allowed = new LinkedHashMap<>();
        List<String> clauses = new ArrayList<>();
        expect(c, Line.of(l), allowed, clauses, g.seq());
        return new Divergence(clauses, c.label, "one of " + allowed.keySet() + " in reply to \"" + escape(l) + "\"",
                actual, allowed.size() == 1 ? c.label + " receives \"" + allowed.keySet().iterator().next() + "\"" : null);
    }

    private Divergence explainMsg(Conn c, Got g) {
        String text = g.text();
        String fate = c.auth == null ? null : history.get(key(c.auth, g.raw()));
        for (Msg m : c.expected) {
            if (Arrays.equals(m.line, g.raw())) {
                return new Divergence(m.flushed ? List.of("QUEUE-3", "ROUTE-6") : List.of("ROUTE-6"), c.label,
                        "the messages in the order the server accepted them (queued ones first, oldest first)",
                        "\"" + escape(g.raw()) + "\" out of order", null);
            }
        }
        if (fate != null && fate.startsWith("queued before a restart")) {
            return new Divergence(List.of("QUEUE-5", "UPG-4"), c.label, "no message queued before the restart",
                    "\"" + text + "\"", c.label + " receives no message");
        }
        if ("flushed".equals(fate) || "delivered".equals(fate)) {
            return new Divergence(List.of("QUEUE-4"), c.label, "a message only once", "\"" + text + "\" again",
                    c.label + " receives no message");
        }
        return new Divergence(List.of("SEC-2", "ROUTE-5"), c.label, "no MSG but those sent to " + (c.auth == null
                ? "it (it is not authenticated)" : c.auth), "\"" + escape(g.raw()) + "\"", c.label + " receives no message");
    }

    /** Feature-file escapes (Escapes) for a line's bytes. */
    static String escape(byte[] b) {
        StringBuilder s = new StringBuilder();
        String t = new String(b, StandardCharsets.UTF_8);
        boolean valid = Arrays.equals(t.getBytes(StandardCharsets.UTF_8), b);
        if (!valid) {
            for (byte x : b) {
                int v = x & 0xff;
                if (v >= 0x20 && v < 0x7f && v != '\\' && v != '"' && v != '<') {
                    s.append((char) v);
                } else {
                    s.append(String.format("\\x%02X", v));
                }
            }
            return s.toString();
        }
        t.codePoints().forEach(cp -> {
            if (cp == '\t') {
                s.append("\\t");
            } else if (cp == '\r') {
                s.append("\\r");
            } else if (cp == '\\') {
                s.append("\\\\");
            } else if (cp < 0x20 || cp >= 0x7f && cp <= 0x9f || cp == '"' || cp == '<') {
                s.append("\\u{").append(Integer.toHexString(cp)).append('}');
            } else {
                s.appendCodePoint(cp);
            }
        });
        return s.toString();
    }

    List<Seen> seen() {
        return seen;
    }
}

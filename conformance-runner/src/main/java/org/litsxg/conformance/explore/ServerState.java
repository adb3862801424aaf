package org.litsxg.conformance.explore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the model knows of the server's own state, across restarts on one data directory: the
 * registered identities (kept, STORE-2), which connection holds each name (ROUTE-9), the
 * offline queues (lost on a restart, QUEUE-5), and what became of every {@code MSG} line it
 * expected (for attributing a stray one).
 */
final class ServerState {

    /** What became of a {@code MSG} line the model expected. */
    enum Fate { QUEUED, DELIVERED, FLUSHED, QUEUED_BEFORE_A_RESTART }

    final Map<String, byte[]> identities = new HashMap<>();
    final Map<String, Integer> registeredEpoch = new HashMap<>();
    final Map<String, Conn> online = new HashMap<>();
    private final Map<String, List<Msg>> queues = new HashMap<>();
    /** Every MSG line the model ever expected, with what became of it: for attributing a stray one. */
    private final Map<String, Fate> history = new HashMap<>();
    /** Which server process (0 the first, one more per restart). */
    int epoch;
    /** Stopping: every connection ends; nothing else may arrive (PROC-13, PROC-15). */
    boolean down;

    /** Whether {@code c} belongs to a server that has stopped (or is stopping). */
    boolean gone(Conn c) {
        return down || c.epoch != epoch;
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

    /** A new process on the same data directory: identities kept, everything else lost (STORE-2, QUEUE-5, PROC-15). */
    void restarted() {
        down = false;
        epoch++;
        for (Map.Entry<String, List<Msg>> q : queues.entrySet()) {
            for (Msg m : q.getValue()) {
                history.put(key(q.getKey(), m.line), Fate.QUEUED_BEFORE_A_RESTART);
            }
        }
        queues.clear();
        online.clear();
    }

    void enqueue(String to, String from, byte[] line) {
        queues.computeIfAbsent(to, k -> new ArrayList<>()).add(new Msg(from, line, false, 0));
        history.put(key(to, line), Fate.QUEUED);
    }

    /** {@code t} is to receive {@code line}, sent to {@code to} (ROUTE-3). */
    void deliver(Conn t, String to, String from, byte[] line) {
        Msg m = new Msg(from, line, false, 0);
        m.lossy = t.closeReason != null;
        t.expected.add(m);
        history.put(key(to, line), Fate.DELIVERED);
    }

    /** What became of {@code line} sent to {@code to}, or null if the model never expected it. */
    Fate fate(String to, byte[] line) {
        return history.get(key(to, line));
    }

    private static String key(String to, byte[] line) {
        return to + "\u0000" + new String(line, StandardCharsets.ISO_8859_1);
    }

    /** {@code c} authenticated as {@code name} by the reply with sequence number {@code seq}. */
    void login(Conn c, String name, long seq) {
        c.auth = name;
        Conn old = online.put(name, c);
        if (old != null && old != c && !old.ended && old.closeReason == null) {
            // AUTH-9: the older connection gets ERR session-replaced and is closed. Whatever it
            // had not yet been sent may be lost with it (permissive: the spec says nothing of it).
            old.decideClose("session-replaced", "AUTH-9");
            old.sessionReplacedOwed = !old.clientClosed && !old.everStalled;
            old.loseExpected();
        }
        List<Msg> q = queues.remove(name);
        if (q != null) {
            for (Msg m : q) {
                Msg f = new Msg(m.from, m.line, true, seq);
                c.expected.add(f); // QUEUE-3: oldest first, after the reply
                history.put(key(name, m.line), Fate.FLUSHED);
            }
        }
    }

    /** The connection ended: no more replies, its name offline (ROUTE-9), its unsent MSG lines lost. */
    void ended(Conn c) {
        c.ended = true;
        c.unresolved.clear();
        if (c.auth != null && online.get(c.auth) == c) {
            online.remove(c.auth); // ROUTE-9
        }
        c.loseExpected();
    }

    /** LIMIT-4: the server drops a slow consumer; what it had not sent may be lost (LIMIT-7). */
    void dropSlow(Conn c) {
        c.decideClose("slow-consumer", "LIMIT-4");
        c.loseExpected();
        if (c.auth != null && online.get(c.auth) == c) {
            online.remove(c.auth); // LIMIT-9
        }
    }
}

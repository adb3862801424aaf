package org.litsxg.conformance.explore;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What the model knows of one client connection: its admission, its session, the lines it sent
 * that still wait for a reply, what the server has decided about it, and what it has received
 * and not yet explained.
 */
final class Conn {

    enum Admission { PENDING, ACCEPTED, REFUSED }

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
    final List<Obs.Got> held = new ArrayList<>();
    final List<Msg> expected = new ArrayList<>();

    Conn(int id, String label, long connectAt, int epoch) {
        this.id = id;
        this.label = label;
        this.connectAt = connectAt;
        this.epoch = epoch;
    }

    /** Whether the server of {@code currentEpoch} may still hold this connection open. */
    boolean serverSideOpen(long now, int currentEpoch, long noticeNanos) {
        if (admission == Admission.REFUSED || ended || epoch != currentEpoch) {
            return false;
        }
        return !clientClosed || now - clientClosedAt < noticeNanos;
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

    /** Drops the empty lines at the head of the unresolved ones: they get no reply (WIRE-6). */
    void skipEmptyLines() {
        while (!unresolved.isEmpty() && Line.of(unresolved.peek()).kind() == Line.Kind.EMPTY) {
            unresolved.poll();
        }
    }

    /** The server decides to close (the first reason counts); nothing after it gets a reply (WIRE-15). */
    void decideClose(String reason, String clause) {
        if (closeReason == null) {
            closeReason = reason;
            closeClause = clause;
        }
        unresolved.clear();
        partial.reset();
    }

    /** Whatever it was still to receive may be lost. */
    void loseExpected() {
        for (Msg m : expected) {
            m.lossy = true;
        }
    }

    @Override
    public String toString() {
        return label;
    }
}

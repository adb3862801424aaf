package org.litsxg.conformance.support;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What a {@link WireClient}'s reader thread received, as the step thread takes it: with a
 * timeout, replies and {@code MSG} lines apart (each kind taken holds back the other that
 * arrived first), the end of the connection sticky once seen. Filled by the reader thread,
 * read by the step thread only.
 */
final class ReplyInbox {

    private final String name;
    private final LinkedBlockingQueue<Received> incoming = new LinkedBlockingQueue<>();
    private final ArrayDeque<Received> heldReplies = new ArrayDeque<>();
    private final ArrayDeque<Received> heldMessages = new ArrayDeque<>();
    private Received.Closed closed;

    ReplyInbox(String name) {
        this.name = name;
    }

    /** From the reader thread: a line or the end. */
    void add(Received r) {
        incoming.add(r);
    }

    void pushBack(Received r) {
        heldReplies.addFirst(r);
    }

    Received next(Duration timeout) {
        if (!heldReplies.isEmpty() || !heldMessages.isEmpty()) {
            // Keep arrival order simple: held items came first.
            return !heldReplies.isEmpty() ? heldReplies.poll() : heldMessages.poll();
        }
        return take(timeout);
    }

    /** The next line that is not {@code MSG} (or the end), holding back {@code MSG} lines that arrive first. */
    Received nextReply(Duration timeout) {
        return nextOfKind(false, heldReplies, heldMessages, timeout);
    }

    /** The next {@code MSG} line (or the end), holding back replies that arrive first. */
    Received nextMessage(Duration timeout) {
        return nextOfKind(true, heldMessages, heldReplies, timeout);
    }

    /** The next held or arriving line whose {@code isMessage()} is {@code message}; lines of the other kind go to {@code other}. */
    private Received nextOfKind(boolean message, ArrayDeque<Received> mine, ArrayDeque<Received> other, Duration timeout) {
        if (!mine.isEmpty()) {
            return mine.poll();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Received r = take(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (r instanceof Received.Line line && line.isMessage() != message) {
                other.add(r);
                continue;
            }
            return r;
        }
    }

    boolean hasHeldLines() {
        return heldReplies.stream().anyMatch(Received.Line.class::isInstance)
                || heldMessages.stream().anyMatch(Received.Line.class::isInstance);
    }

    String heldLines() {
        StringBuilder out = new StringBuilder();
        heldReplies.forEach(r -> out.append(r).append("; "));
        heldMessages.forEach(r -> out.append(r).append("; "));
        return out.toString();
    }

    Optional<Received> firstArrivalWithin(Duration period) {
        if (!heldReplies.isEmpty()) {
            return Optional.of(heldReplies.peek());
        }
        if (!heldMessages.isEmpty()) {
            return Optional.of(heldMessages.peek());
        }
        try {
            await("nothing arrives at " + name)
                    .during(period)
                    .atMost(period.plusMillis(500))
                    .pollInterval(Duration.ofMillis(10))
                    .until(incoming::isEmpty);
            return Optional.empty();
        } catch (ConditionTimeoutException e) {
            return Optional.ofNullable(incoming.peek());
        }
    }

    Received drainUntilClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        heldReplies.removeIf(Received.Line.class::isInstance);
        heldMessages.removeIf(Received.Line.class::isInstance);
        if (!heldReplies.isEmpty()) {
            return heldReplies.poll();
        }
        if (!heldMessages.isEmpty()) {
            return heldMessages.poll();
        }
        while (true) {
            Received r = take(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (!(r instanceof Received.Line)) {
                return r;
            }
        }
    }

    private Received take(Duration timeout) {
        if (closed != null) {
            return closed;
        }
        try {
            Received r = incoming.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (r == null) {
                return new Received.Nothing(timeout.toMillis());
            }
            if (r instanceof Received.Closed c) {
                closed = c;
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Received.Nothing(0);
        }
    }

    boolean isClosedSeen() {
        return closed != null;
    }
}

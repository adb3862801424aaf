package org.litsxg.server;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Who is online, who is known, and the in-memory queues of messages for names that are not
 * connected (brief, "Replies" and "Limits"). Queues hold the finished {@code MSG} line bytes and
 * are lost when the process ends; nothing here touches the disk.
 *
 * <p>A queue is delivered to its name's connection right after authentication, oldest first,
 * at most {@link #DRAIN_WINDOW_BYTES} ahead of what the operating system has taken, and never
 * closer than one longest {@code MSG} line to the pending-output bound (see
 * {@link #drainWindow}), so a reconnecting reader with a full queue never trips the
 * slow-consumer bound. While a queue is still draining, live messages for that name join its
 * tail, which keeps every sender's order.
 *
 * <p>Not thread-safe: owned by the selector thread. Never blocks.
 */
final class Router {
    /** How far ahead of the socket a draining queue is pushed, in bytes. */
    static final int DRAIN_WINDOW_BYTES = 64 * 1024;
    /** The result of one SEND. */
    enum SendOutcome { DELIVERED, QUEUED, UNKNOWN_RECIPIENT, QUEUE_FULL }

    private final Set<String> known;
    private final int maxQueued;
    private final long drainWindow;
    private final Map<String, Peer> online = new HashMap<>();
    private final Map<String, ArrayDeque<byte[]>> queues = new HashMap<>();

    /** {@code known} is taken over (not copied): the names registered in the identity store. */
    Router(Set<String> known, int maxQueued, long maxPendingBytes) {
        this.known = known;
        this.maxQueued = maxQueued;
        this.drainWindow = drainWindow(maxPendingBytes);
    }

    /** With the default pending-output bound. */
    Router(Set<String> known, int maxQueued) {
        this(known, maxQueued, ServerConfig.DEFAULT_MAX_PENDING_BYTES);
    }

    /**
     * How far ahead of the socket a queue is pushed: {@link #DRAIN_WINDOW_BYTES}, or less when
     * the pending-output bound is small, so that pushing one more line never passes the bound.
     */
    static long drainWindow(long maxPendingBytes) {
        return Math.min(DRAIN_WINDOW_BYTES, maxPendingBytes - WireLines.MAX_MSG_LINE_BYTES);
    }

    boolean isKnown(String name) {
        return known.contains(name);
    }

    /** A name was registered in the identity store. */
    void register(String name) {
        known.add(name);
    }

    /**
     * Makes {@code peer} the connection of {@code name}; a previous one is told it was replaced.
     * Then starts delivering the name's queue.
     */
    void bind(String name, Peer peer) {
        Peer old = online.put(name, peer);
        if (old != null && old != peer) {
            old.replaced();
        }
        drain(name);
    }

    /** {@code peer} leaves; no effect when another connection has replaced it. */
    void unbind(String name, Peer peer) {
        online.remove(name, peer);
    }

    boolean isOnline(String name) {
        return online.containsKey(name);
    }

    int queued(String name) {
        ArrayDeque<byte[]> queue = queues.get(name);
        return queue == null ? 0 : queue.size();
    }

    int onlineCount() {
        return online.size();
    }

    /** Routes {@code text} from {@code from} to {@code to}. */
    SendOutcome send(String from, String to, String text) {
        if (!known.contains(to)) {
            return SendOutcome.UNKNOWN_RECIPIENT;
        }
        byte[] line = WireLines.msg(from, text);
        Peer peer = online.get(to);
        ArrayDeque<byte[]> queue = queues.get(to);
        if (peer != null && queue == null) {
            if (peer.offer(line)) {
                return SendOutcome.DELIVERED;
            }
            peer = online.get(to);
        }
        if (queue == null) {
            queue = new ArrayDeque<>();
        }
        if (queue.size() >= maxQueued) {
            return SendOutcome.QUEUE_FULL;
        }
        queue.add(line);
        queues.putIfAbsent(to, queue);
        if (peer != null) {
            drain(to);
            return SendOutcome.DELIVERED;
        }
        return SendOutcome.QUEUED;
    }

    /**
     * Moves queued lines to the name's connection while its pending output is within the drain
     * window. Called when the name comes online, when a message joins a draining queue, and
     * each time the connection has written output; does nothing for a name with no queue.
     */
    void drain(String name) {
        ArrayDeque<byte[]> queue = queues.get(name);
        if (queue == null) {
            return;
        }
        Peer peer = online.get(name);
        if (peer == null) {
            return;
        }
        while (!queue.isEmpty() && peer.pendingBytes() < drainWindow) {
            if (!peer.offer(queue.peek())) {
                return;
            }
            queue.poll();
        }
        if (queue.isEmpty()) {
            queues.remove(name);
        }
    }
}

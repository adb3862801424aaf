package org.litsxg.conformance.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Many kit-side connections driven by one non-blocking selector, for the scenarios that need
 * thousands of clients at once (idle connections, churn, a thousand pairs exchanging messages)
 * without a thread per connection.
 *
 * <p>Not thread-safe: the step thread that creates a swarm is the only one that uses it. Nothing
 * happens on the wire except inside {@link #open} and {@link #runUntil}, which drive the
 * selector until their condition holds or their deadline passes; they never block longer than
 * the timeout they are given. Each {@link Peer} keeps every line it received (as UTF-8 text,
 * without LF) and how its connection ended. A connection the server ended keeps its kit-side
 * socket open until {@link #close}.
 */
public final class Swarm implements AutoCloseable {

    /** How many connects may be in progress at once, so the server's accept queue never overflows. */
    private static final int CONNECTS_IN_FLIGHT = 64;

    /** One connection of the swarm (its I/O is {@link SwarmConnection}'s). */
    public static final class Peer extends SwarmConnection {
        private Peer(int index, Selector selector) {
            super(index, selector);
        }
    }

    private final InetSocketAddress address;
    private final Selector selector;
    private final List<Peer> peers = new ArrayList<>();
    private final ArrayDeque<Peer> toConnect = new ArrayDeque<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private final List<String> connectFailures = new ArrayList<>();
    private int connecting;

    public Swarm(InetSocketAddress address) throws IOException {
        this.address = address;
        this.selector = Selector.open();
    }

    /** Every peer created so far. */
    public List<Peer> peers() {
        return peers;
    }

    /**
     * Opens {@code n} more connections, at most {@value #CONNECTS_IN_FLIGHT} connects at a time,
     * and returns them once all are established. Blocks at most {@code timeout}.
     *
     * @throws IOException naming how many could not be made, when any connect failed or the
     *     timeout passed first
     */
    public List<Peer> open(int n, Duration timeout) throws IOException {
        return open(n, timeout, p -> { });
    }

    /**
     * As {@link #open(int, Duration)}, with {@code first} applied to each peer before it
     * connects (to queue what it writes as soon as it is connected).
     */
    public List<Peer> open(int n, Duration timeout, java.util.function.Consumer<Peer> first) throws IOException {
        List<Peer> made = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Peer p = new Peer(peers.size(), selector);
            first.accept(p);
            peers.add(p);
            made.add(p);
            toConnect.add(p);
        }
        connectFailures.clear();
        boolean done = runUntil(() -> toConnect.isEmpty() && connecting == 0, timeout);
        long up = made.stream().filter(p -> p.connected).count();
        if (!done || up < n) {
            throw new IOException(up + " of " + n + " connections to " + address + " were established"
                    + (done ? "" : " within " + timeout.toMillis() + " ms")
                    + (connectFailures.isEmpty() ? "" : "; first failures: "
                            + connectFailures.subList(0, Math.min(3, connectFailures.size()))));
        }
        return made;
    }

    private void startConnects() {
        while (connecting < CONNECTS_IN_FLIGHT && !toConnect.isEmpty()) {
            Peer p = toConnect.poll();
            try {
                SocketChannel ch = SocketChannel.open();
                p.channel = ch;
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (ch.connect(address)) {
                    established(p);
                } else {
                    ch.register(selector, SelectionKey.OP_CONNECT, p);
                    connecting++;
                }
            } catch (IOException e) {
                connectFailures.add(e.toString());
                p.end("connect failed: " + e.getMessage());
            }
        }
    }

    private void established(Peer p) throws IOException {
        p.connected = true;
        p.channel.register(selector, SelectionKey.OP_READ | (p.needsWrite() ? SelectionKey.OP_WRITE : 0), p);
    }

    /**
     * Drives every connection (connects, writes, reads) until {@code done} holds, checked after
     * each round of I/O, or {@code timeout} has passed. Returns whether {@code done} held.
     */
    public boolean runUntil(BooleanSupplier done, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            startConnects();
            if (done.getAsBoolean()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            selector.select(Math.max(1, Math.min(50, left / 1_000_000)));
            for (SelectionKey k : selector.selectedKeys()) {
                Peer p = (Peer) k.attachment();
                if (!k.isValid()) {
                    continue;
                }
                if (k.isConnectable()) {
                    connecting--;
                    try {
                        p.channel.finishConnect();
                        p.connected = true;
                        k.interestOps(SelectionKey.OP_READ | (p.needsWrite() ? SelectionKey.OP_WRITE : 0));
                    } catch (IOException e) {
                        connectFailures.add(e.toString());
                        p.end("connect failed: " + e.getMessage());
                    }
                    continue;
                }
                if (k.isReadable()) {
                    p.readable(readBuffer);
                }
                if (k.isValid() && k.isWritable() && p.ended == null) {
                    p.writable();
                }
            }
            selector.selectedKeys().clear();
        }
    }

    /** Closes every connection and the selector. */
    @Override
    public void close() {
        for (Peer p : peers) {
            p.end("closed by the kit");
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // Nothing left to release.
        }
    }
}

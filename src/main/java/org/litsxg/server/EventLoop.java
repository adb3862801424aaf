package org.litsxg.server;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The one selector thread that owns every channel (listener and clients) and the sessions on
 * them (and so the router they share). Other threads reach it only through
 * {@link #execute(Runnable)} (a queue plus {@code selector.wakeup()}) and {@link #stop()}.
 *
 * <p>Each round: select (bounded by the next auth or linger deadline), run handed-over tasks,
 * accept, read and frame, expire deadlines, then write every connection that got output this
 * round, so replies produced by one read go out in one write. Connections reach the loop only
 * through {@link ConnectionLoop}, which a private object of the loop implements.
 */
public final class EventLoop implements Executor {
    /** How long a closing connection's input is drained after its last line, in milliseconds. */
    static final long LINGER_MILLIS = 2_000;
    /** Shared read buffer, in bytes. */
    static final int READ_BUFFER_BYTES = 64 * 1024;

    private final ServerConfig config;
    private final Logger log;
    private final Selector selector;
    private final Listener listener;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private final LineDecoder decoder = new LineDecoder();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Events events = new Events();
    /** Both delays are fixed, so each queue is in deadline order. */
    private final ArrayDeque<Deadline> authDeadlines = new ArrayDeque<>();
    private final ArrayDeque<Deadline> lingering = new ArrayDeque<>();
    private final List<Connection> dirty = new ArrayList<>();
    private volatile boolean stopping;
    private volatile Thread thread;
    private volatile int openConnections;
    private Function<Transport, Session> sessions;
    private long slowConsumers;

    /**
     * Binds the listening socket ({@link Listener}). Blocks only for the bind. Throws
     * {@link IOException} when the address cannot be bound (for example, the port is in use).
     */
    public EventLoop(ServerConfig config, Logger log) throws IOException {
        this.config = config;
        this.log = log;
        this.selector = Selector.open();
        try {
            this.listener = new Listener(config.bind(), config.port(), selector, log);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return listener.address();
    }

    /** Client connections open right now; readable from any thread. */
    public int openConnections() {
        return openConnections;
    }

    /** Hands work to the selector thread; returns at once. Thread-safe. */
    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Asks the loop to close every connection and return from {@link #run}. Thread-safe. */
    public void stop() {
        stopping = true;
        selector.wakeup();
    }

    /**
     * Runs the loop on the calling thread until {@link #stop()}, giving each accepted connection
     * the session {@code sessions} makes for it; then closes every connection and the listener.
     * Throws {@link IOException} on a selector failure (fatal for the server).
     */
    public void run(Function<Transport, Session> sessions) throws IOException {
        if (thread != null) {
            throw new IllegalStateException("the event loop is already running");
        }
        thread = Thread.currentThread();
        this.sessions = sessions;
        try {
            while (!stopping) {
                selector.select(selectTimeoutMillis());
                runTasks();
                Set<SelectionKey> keys = selector.selectedKeys();
                for (Iterator<SelectionKey> it = keys.iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (listener.owns(key)) {
                        accept();
                        continue;
                    }
                    Connection c = (Connection) key.attachment();
                    if (key.isWritable()) {
                        c.flush();
                    }
                    if (key.isValid() && key.isReadable() && !c.isClosed()) {
                        c.onReadable(readBuffer);
                    }
                }
                expireDeadlines(System.nanoTime());
                flushDirty();
            }
        } catch (ClosedSelectorException e) {
            throw new IOException("selector closed under the event loop", e);
        } finally {
            shutdown();
        }
    }

    private long selectTimeoutMillis() {
        long next = Long.MAX_VALUE;
        if (!authDeadlines.isEmpty()) {
            next = authDeadlines.peekFirst().nanos();
        }
        if (!lingering.isEmpty()) {
            next = Math.min(next, lingering.peekFirst().nanos());
        }
        if (listener.resumeNanos() != 0) {
            next = Math.min(next, listener.resumeNanos());
        }
        if (next == Long.MAX_VALUE) {
            return 0;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime()) + 1);
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    private void accept() {
        SocketChannel channel;
        while ((channel = listener.accept(openConnections >= config.maxConnections())) != null) {
            try {
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                Connection c = new Connection(events, channel, key, decoder, config.maxPendingBytes());
                c.attach(sessions.apply(c));
                key.attach(c);
                openConnections++;
                authDeadlines.addLast(new Deadline(
                        System.nanoTime() + TimeUnit.SECONDS.toNanos(config.authTimeoutSeconds()), c));
            } catch (IOException e) {
                Listener.closeQuietly(channel);
            }
        }
    }

    private void expireDeadlines(long now) {
        while (!authDeadlines.isEmpty() && authDeadlines.peekFirst().nanos() - now <= 0) {
            Connection c = authDeadlines.pollFirst().connection();
            if (!c.isClosed() && c.session().state() == Session.State.UNAUTHENTICATED) {
                // AUTH-11: an AUTH that reached the socket before the deadline, while this round
                // was busy elsewhere, is taken now and answered first (the deadline then only
                // marks it), instead of being cut by ERR auth-timeout unread.
                c.onReadable(readBuffer);
            }
            if (!c.isClosed()) {
                c.session().onAuthDeadline();
            }
        }
        while (!lingering.isEmpty() && lingering.peekFirst().nanos() - now <= 0) {
            lingering.pollFirst().connection().closeNow();
        }
        listener.resumeIfDue(now);
    }

    private void flushDirty() {
        for (int i = 0; i < dirty.size(); i++) {
            dirty.get(i).flush();
        }
        dirty.clear();
    }

    /** When {@code connection} is due for its auth timeout or its lingering close. */
    private record Deadline(long nanos, Connection connection) {
    }

    /** The loop as its connections see it. */
    private final class Events implements ConnectionLoop {
        @Override
        public void flushLater(Connection c) {
            dirty.add(c);
        }

        /**
         * {@code c} waits (at most {@link #LINGER_MILLIS}) for the client's end of stream before
         * the socket is closed, so that unread input does not turn the close into a reset. For
         * the client the connection has ended (it reads end of stream), so its slot under
         * {@code --max-connections} is free from now on (HOST-3), not only once the client's own
         * close has been read. Lingering sockets are bounded by the close rate times the linger
         * time.
         */
        @Override
        public void lingering(Connection c) {
            lingering.addLast(new Deadline(System.nanoTime() + LINGER_MILLIS * 1_000_000L, c));
            openConnections--;
        }

        @Override
        public void droppedSlowConsumer(Connection c) {
            slowConsumers++;
        }

        @Override
        public void closed(Connection c) {
            if (!c.lingered()) {
                openConnections--; // a lingering connection gave its slot back already
            }
        }
    }

    private void shutdown() {
        int open = openConnections;
        for (SelectionKey key : new ArrayList<>(selector.keys())) {
            if (key.attachment() instanceof Connection c) {
                c.closeNow();
            }
        }
        listener.close();
        try {
            selector.close();
        } catch (IOException e) {
            log.log(Level.WARNING, "closing the selector failed: " + e.getMessage());
        }
        log.log(Level.INFO, "closed " + open + " connections; slow consumers dropped: " + slowConsumers
                + "; refused when full: " + listener.refusedFull());
    }
}

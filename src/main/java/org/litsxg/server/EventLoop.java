package org.litsxg.server;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.litsxg.server.WireLines.Reply;

/**
 * The one selector thread that owns every channel (listener and clients), the router and all
 * sessions. Other threads reach it only through {@link #execute(Runnable)} (a queue plus
 * {@code selector.wakeup()}) and {@link #stop()}.
 *
 * <p>Each round: select (bounded by the next auth or linger deadline), run handed-over tasks,
 * accept, read and frame, expire deadlines, then write every connection that got output this
 * round, so replies produced by one read go out in one write. Connections reach the loop only
 * through {@link Connection.Loop}, which a private object of the loop implements.
 */
public final class EventLoop {
    /**
     * Kernel socket buffers per connection, each way, in bytes (Linux doubles the figure for its
     * bookkeeping). Fixed rather than autotuned (up to tcp_rmem's 32 MiB here): a client that
     * pipelines without reading meets {@link Connection#BACKPRESSURE_BYTES} after a few hundred KiB
     * instead of after the kernel has swallowed megabytes, and thousands of connections cannot
     * pin large kernel buffers. Ample for short text lines, even over Tor's latency.
     */
    static final int SOCKET_BUFFER_BYTES = 128 * 1024;
    /** How long a closing connection's input is drained after its last line, in milliseconds. */
    static final long LINGER_MILLIS = 2_000;
    /** Shared read buffer, in bytes. */
    static final int READ_BUFFER_BYTES = 64 * 1024;
    /** After accept() fails (e.g. out of file descriptors), accepting pauses this long. */
    static final long ACCEPT_BACKOFF_MILLIS = 100;

    private final ServerConfig config;
    private final Authenticator authenticator;
    private final Logger log;
    private final Router router;
    private final Selector selector;
    private final ServerSocketChannel listener;
    private final SelectionKey listenerKey;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private final LineDecoder decoder = new LineDecoder();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Events events = new Events();
    /** Both delays are fixed, so each queue is in deadline order. */
    private final ArrayDeque<Deadline> authDeadlines = new ArrayDeque<>();
    private final ArrayDeque<Deadline> lingering = new ArrayDeque<>();
    private final List<Connection> dirty = new ArrayList<>();
    private final InetSocketAddress address;
    private volatile boolean stopping;
    private volatile Thread thread;
    private volatile int openConnections;
    private long acceptResumeNanos;
    private long slowConsumers;
    private long refusedFull;

    /**
     * Binds the listening socket. Blocks only for the bind. Throws {@link IOException} when the
     * address cannot be bound (for example, the port is in use).
     */
    public EventLoop(ServerConfig config, Set<String> knownNames, Authenticator authenticator, Logger log)
            throws IOException {
        this.config = config;
        this.authenticator = authenticator;
        this.log = log;
        this.router = new Router(knownNames, config.maxQueued(), config.maxPendingBytes());
        this.selector = Selector.open();
        this.listener = ServerSocketChannel.open();
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            // Set before bind, so that accepted connections inherit it from the start.
            listener.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            listener.bind(new InetSocketAddress(config.bind(), config.port()), 4096);
            listener.configureBlocking(false);
            listenerKey = listener.register(selector, SelectionKey.OP_ACCEPT);
            address = (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException | RuntimeException e) {
            listener.close();
            selector.close();
            throw e;
        }
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return address;
    }

    /** Client connections open right now; readable from any thread. */
    public int openConnections() {
        return openConnections;
    }

    /** Hands work to the selector thread; returns at once. Thread-safe. */
    public void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Asks the loop to close every connection and return from {@link #run()}. Thread-safe. */
    public void stop() {
        stopping = true;
        selector.wakeup();
    }

    /**
     * Runs the loop on the calling thread until {@link #stop()}; then closes every connection and
     * the listener. Throws {@link IOException} on a selector failure (fatal for the server).
     */
    public void run() throws IOException {
        if (thread != null) {
            throw new IllegalStateException("the event loop is already running");
        }
        thread = Thread.currentThread();
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
                    if (key == listenerKey) {
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
        if (acceptResumeNanos != 0) {
            next = Math.min(next, acceptResumeNanos);
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
        while (true) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                log.log(Level.WARNING, "accept failed, pausing accepts for " + ACCEPT_BACKOFF_MILLIS + " ms: " + e.getMessage());
                listenerKey.interestOps(0);
                acceptResumeNanos = System.nanoTime() + ACCEPT_BACKOFF_MILLIS * 1_000_000L;
                return;
            }
            if (channel == null) {
                return;
            }
            try {
                channel.configureBlocking(false);
                if (openConnections >= config.maxConnections()) {
                    refuse(channel);
                    continue;
                }
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                Connection c = new Connection(events, channel, key, decoder, config.maxPendingBytes());
                c.attach(new Session(c, c, router, authenticator, log));
                key.attach(c);
                openConnections++;
                authDeadlines.addLast(new Deadline(
                        System.nanoTime() + TimeUnit.SECONDS.toNanos(config.authTimeoutSeconds()), c));
            } catch (IOException e) {
                closeQuietly(channel);
            }
        }
    }

    private void refuse(SocketChannel channel) {
        refusedFull++;
        try {
            channel.write(ByteBuffer.wrap(Reply.ERR_SERVER_FULL.line()));
            channel.shutdownOutput();
        } catch (IOException e) {
            // the refused client is gone already
        }
        closeQuietly(channel);
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
        if (acceptResumeNanos != 0 && acceptResumeNanos - now <= 0) {
            acceptResumeNanos = 0;
            listenerKey.interestOps(SelectionKey.OP_ACCEPT);
        }
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
    private final class Events implements Connection.Loop {
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
        closeQuietly(listener);
        try {
            selector.close();
        } catch (IOException e) {
            log.log(Level.WARNING, "closing the selector failed: " + e.getMessage());
        }
        log.log(Level.INFO, "closed " + open + " connections; slow consumers dropped: " + slowConsumers
                + "; refused when full: " + refusedFull);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing is best effort
        }
    }
}

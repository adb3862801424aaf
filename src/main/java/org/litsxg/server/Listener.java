package org.litsxg.server;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.litsxg.server.WireLines.Reply;

/**
 * The listening socket on the event loop's selector: accepts client sockets and sets them up,
 * refuses those over {@code --max-connections} with {@code ERR server-full}, and pauses
 * accepting for {@link #ACCEPT_BACKOFF_MILLIS} after {@code accept()} fails. Selector thread
 * only, except the constructor.
 */
final class Listener implements Closeable {
    /**
     * Kernel socket buffers per connection, each way, in bytes (Linux doubles the figure for its
     * bookkeeping). Fixed rather than autotuned (up to tcp_rmem's 32 MiB here): a client that
     * pipelines without reading meets {@link Connection#BACKPRESSURE_BYTES} after a few hundred
     * KiB instead of after the kernel has swallowed megabytes, and thousands of connections
     * cannot pin large kernel buffers. Ample for short text lines, even over Tor's latency.
     */
    static final int SOCKET_BUFFER_BYTES = 128 * 1024;
    /** After accept() fails (e.g. out of file descriptors), accepting pauses this long. */
    static final long ACCEPT_BACKOFF_MILLIS = 100;

    private final ServerSocketChannel channel;
    private final SelectionKey key;
    private final InetSocketAddress address;
    private final Logger log;
    private long resumeNanos;
    private long refusedFull;

    /**
     * Binds {@code bind:port} and registers with {@code selector}. Blocks only for the bind.
     * Throws {@link IOException} when the address cannot be bound (for example, the port is in
     * use).
     */
    Listener(String bind, int port, Selector selector, Logger log) throws IOException {
        this.log = log;
        this.channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            // Set before bind, so that accepted connections inherit it from the start.
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            channel.bind(new InetSocketAddress(bind, port), 4096);
            channel.configureBlocking(false);
            key = channel.register(selector, SelectionKey.OP_ACCEPT);
            address = (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The bound address (the real port when 0 was asked for). */
    InetSocketAddress address() {
        return address;
    }

    boolean owns(SelectionKey k) {
        return k == key;
    }

    /**
     * The next waiting client socket, non-blocking and set up, or null when none is waiting or
     * accepting has just paused. While {@code full}, the socket taken is refused instead and the
     * next one is looked at (the caller passes {@code full} again for each call). Never blocks.
     */
    SocketChannel accept(boolean full) {
        while (true) {
            SocketChannel client;
            try {
                client = channel.accept();
            } catch (IOException e) {
                log.log(Level.WARNING, "accept failed, pausing accepts for " + ACCEPT_BACKOFF_MILLIS + " ms: " + e.getMessage());
                key.interestOps(0);
                resumeNanos = System.nanoTime() + ACCEPT_BACKOFF_MILLIS * 1_000_000L;
                return null;
            }
            if (client == null) {
                return null;
            }
            try {
                client.configureBlocking(false);
                if (full) {
                    refuse(client);
                    continue;
                }
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                client.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
                return client;
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void refuse(SocketChannel client) {
        refusedFull++;
        try {
            client.write(ByteBuffer.wrap(Reply.ERR_SERVER_FULL.line()));
            client.shutdownOutput();
        } catch (IOException e) {
            // the refused client is gone already
        }
        closeQuietly(client);
    }

    /** When paused accepting resumes, in {@link System#nanoTime()}; 0 when not paused. */
    long resumeNanos() {
        return resumeNanos;
    }

    /** Resumes accepting once the pause after a failed accept is over. */
    void resumeIfDue(long now) {
        if (resumeNanos != 0 && resumeNanos - now <= 0) {
            resumeNanos = 0;
            key.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    /** Connections refused with {@code ERR server-full} so far. */
    long refusedFull() {
        return refusedFull;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing is best effort
        }
    }
}

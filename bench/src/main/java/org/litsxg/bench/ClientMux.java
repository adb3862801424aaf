package org.litsxg.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The load generator's client connections, multiplexed on one selector by the calling thread:
 * one shared read buffer, one output array per client written once per round (what a round
 * queued goes out in {@link #flushDirty()}), and every complete line handed to the
 * {@link LineHandler} as a slice of a byte array. Not thread-safe.
 */
final class ClientMux implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final int READ_BUFFER_BYTES = 256 * 1024;

    /** One client connection. */
    static final class Client {
        final int index;
        final SocketChannel channel;
        SelectionKey key;
        byte[] out = new byte[256];
        ByteBuffer outBuffer = ByteBuffer.wrap(out);
        int outLength;
        byte[] partial;
        int partialLength;
        boolean registered;
        boolean ponged;
        boolean dirty;
        boolean dead;

        Client(int index, SocketChannel channel) {
            this.index = index;
            this.channel = channel;
        }
    }

    /** What to do with one line received (without its LF), read at {@code now}. */
    interface LineHandler {
        void line(Client c, byte[] b, int off, int len, long now);
    }

    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private final List<Client> clients = new ArrayList<>();
    private final List<Client> dirty = new ArrayList<>();
    private final LineHandler handler;
    private long closedByServer;

    ClientMux(LineHandler handler) throws IOException {
        this.handler = handler;
        this.selector = Selector.open();
    }

    List<Client> clients() {
        return clients;
    }

    long closedByServer() {
        return closedByServer;
    }

    /** Connects client number {@code clients().size()} (blocking, bounded), from {@code source} if not null. */
    Client open(InetSocketAddress server, java.net.InetAddress source) throws IOException {
        int i = clients.size();
        SocketChannel ch = SocketChannel.open();
        try {
            if (source != null) {
                ch.bind(new InetSocketAddress(source, 0));
            }
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.socket().connect(server, CONNECT_TIMEOUT_MILLIS);
            ch.configureBlocking(false);
        } catch (IOException e) {
            ch.close();
            throw new IOException("connection " + i + " failed: " + e.getMessage(), e);
        }
        Client c = new Client(i, ch);
        c.key = ch.register(selector, SelectionKey.OP_READ, c);
        clients.add(c);
        return c;
    }

    /** Queues bytes on {@code c}'s output. */
    void append(Client c, byte[] bytes, int off, int len) {
        ensure(c, len);
        System.arraycopy(bytes, off, c.out, c.outLength, len);
        c.outLength += len;
        markDirty(c);
    }

    /** Makes room for {@code len} more bytes on {@code c}'s output; the caller writes them at {@code c.outLength}, then {@link #commit}s. */
    void reserve(Client c, int len) {
        ensure(c, len);
    }

    /** {@code c}'s output now ends at {@code outLength}. */
    void commit(Client c, int outLength) {
        c.outLength = outLength;
        markDirty(c);
    }

    private static void ensure(Client c, int more) {
        if (c.outLength + more > c.out.length) {
            byte[] bigger = new byte[Math.max(c.out.length * 2, c.outLength + more)];
            System.arraycopy(c.out, 0, bigger, 0, c.outLength);
            c.out = bigger;
            c.outBuffer = ByteBuffer.wrap(bigger);
        }
    }

    private void markDirty(Client c) {
        if (!c.dirty) {
            c.dirty = true;
            dirty.add(c);
        }
    }

    /** Writes what this round queued, as much as each socket takes. */
    void flushDirty() {
        for (int i = 0; i < dirty.size(); i++) {
            Client c = dirty.get(i);
            c.dirty = false;
            write(c);
        }
        dirty.clear();
    }

    private void write(Client c) {
        if (c.dead || c.outLength == 0) {
            return;
        }
        ByteBuffer b = c.outBuffer;
        b.limit(c.outLength).position(0);
        int n;
        try {
            n = c.channel.write(b);
        } catch (IOException e) {
            gone(c);
            return;
        }
        if (n < c.outLength) {
            System.arraycopy(c.out, n, c.out, 0, c.outLength - n);
        }
        c.outLength -= n;
        int ops = c.outLength > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
        if (c.key.interestOps() != ops) {
            c.key.interestOps(ops);
        }
    }

    /** One select round (timeout in ms; 0 or less: do not wait), then the round's writes. */
    void poll(long timeoutMillis) throws IOException {
        if (timeoutMillis > 0) {
            selector.select(timeoutMillis);
        } else {
            selector.selectNow();
        }
        var keys = selector.selectedKeys();
        for (SelectionKey key : keys) {
            Client c = (Client) key.attachment();
            if (!key.isValid()) {
                continue;
            }
            if (key.isWritable()) {
                write(c);
            }
            if (key.isValid() && key.isReadable()) {
                read(c);
            }
        }
        keys.clear();
        flushDirty();
    }

    private void read(Client c) {
        ByteBuffer buf = readBuffer;
        buf.clear();
        int n;
        try {
            n = c.channel.read(buf);
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0) {
            gone(c);
            return;
        }
        long now = System.nanoTime();
        byte[] a = buf.array();
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (a[i] != '\n') {
                continue;
            }
            if (c.partialLength > 0) {
                appendPartial(c, a, start, i - start);
                int len = c.partialLength;
                c.partialLength = 0;
                handler.line(c, c.partial, 0, len, now);
            } else {
                handler.line(c, a, start, i - start, now);
            }
            start = i + 1;
        }
        if (start < n) {
            appendPartial(c, a, start, n - start);
        }
    }

    private static void appendPartial(Client c, byte[] a, int off, int len) {
        if (c.partial == null || c.partialLength + len > c.partial.length) {
            byte[] bigger = new byte[Math.max(512, (c.partialLength + len) * 2)];
            if (c.partial != null) {
                System.arraycopy(c.partial, 0, bigger, 0, c.partialLength);
            }
            c.partial = bigger;
        }
        System.arraycopy(a, off, c.partial, c.partialLength, len);
        c.partialLength += len;
    }

    private void gone(Client c) {
        if (c.dead) {
            return;
        }
        c.dead = true;
        closedByServer++;
        c.key.cancel();
        try {
            c.channel.close();
        } catch (IOException e) {
            // already gone
        }
    }

    /** Closes clients {@code from} to {@code to} (exclusive), not counted as closed by the server. */
    void closeClients(int from, int to) {
        for (int i = from; i < to && i < clients.size(); i++) {
            Client c = clients.get(i);
            if (!c.dead) {
                c.dead = true;
                c.key.cancel();
                try {
                    c.channel.close();
                } catch (IOException e) {
                    // best effort
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        closeClients(0, clients.size());
        selector.close();
    }
}

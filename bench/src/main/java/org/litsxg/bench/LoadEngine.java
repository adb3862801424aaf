package org.litsxg.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * The load generator: N client connections driven by the calling thread alone, with plain
 * {@code java.nio} (one selector, one shared read buffer, one output array per client written
 * once per round), so that the generator costs little CPU beside the server it measures.
 *
 * <p>Every message text is exactly {@code size} bytes: 16 hexadecimal digits of the
 * {@link System#nanoTime()} at which the generator put the line into its sender's output, a
 * space, and filler. The recipient's copy of the text is the last {@code size} bytes of the
 * line it gets (a Litsxg {@code MSG} or an IRC {@code PRIVMSG}), so end-to-end latency (sender's
 * buffer to recipient's read) is measured the same way for any server and recorded in an
 * {@link Histogram}. Not thread-safe; every method blocks for at most its stated bound.
 */
final class LoadEngine implements AutoCloseable {
    /** Latencies above this are recorded as this (one minute, in nanoseconds). */
    static final long HIGHEST_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /**
     * Registrations in flight while connecting, by default. ngircd listens with a backlog of 10:
     * more connections than that waiting for accept() overflow it, and the kernel then drops
     * their handshake's last ACK, so the client believes it is connected while its first lines
     * wait for retransmission (seconds). A small window keeps both servers out of that.
     */
    static final int REGISTER_WINDOW = 8;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final int READ_BUFFER_BYTES = 256 * 1024;
    private static final int STAMP_DIGITS = 16;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** One client connection. */
    private static final class Client {
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

    /** Counters of one traffic run, over its measured window (after the warm-up). */
    record Run(double seconds, long sent, long received, long acks, long queued, long errors, long lost,
               double deliveredPerSecond, Histogram latency, double generatorCpuPercent, double serverCpuPercent) {
    }

    private final Dialect dialect;
    private final int size;
    private final String namePrefix;
    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private final List<Client> clients = new ArrayList<>();
    private final List<Client> dirty = new ArrayList<>();
    private final long base = System.nanoTime();
    private final byte[] lineEnd;
    private final List<String> firstErrors = new ArrayList<>();
    private byte[][] prefixes = new byte[0][];
    private Histogram histogram = new Histogram(HIGHEST_LATENCY_NANOS, 3);
    private boolean recording;
    private long sent;
    private long received;
    private long acks;
    private long queued;
    private long errors;
    private long registered;
    private long pongs;
    private long closedByServer;

    /**
     * @param dialect   what the server speaks
     * @param size       message text size in bytes (at least 24)
     * @param namePrefix client names are this prefix and the client's number
     */
    LoadEngine(Dialect dialect, int size, String namePrefix) throws IOException {
        if (size < STAMP_DIGITS + 8) {
            throw new IllegalArgumentException("message size must be at least " + (STAMP_DIGITS + 8) + " bytes");
        }
        this.dialect = dialect;
        this.size = size;
        this.namePrefix = namePrefix;
        this.selector = Selector.open();
        this.lineEnd = dialect.lineEnd();
    }

    String name(int index) {
        return namePrefix + index;
    }

    int size() {
        return clients.size();
    }

    long registered() {
        return registered;
    }

    long errors() {
        return errors;
    }

    long closedByServer() {
        return closedByServer;
    }

    List<String> firstErrors() {
        return firstErrors;
    }

    /**
     * Opens {@code count} more connections (numbered on from those already open), from the
     * {@code sources} addresses in turn (none: the system's choice), and registers each one,
     * keeping at most {@code window} registrations unanswered. Returns how many of all clients
     * are registered when every new one answered or {@code timeoutSeconds} passed.
     */
    long connect(InetSocketAddress server, int count, List<InetAddress> sources, int window, int timeoutSeconds)
            throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        int first = clients.size();
        growPrefixes(first + count);
        for (int i = first; i < first + count; i++) {
            while (clients.size() - registered - closedByServer >= window) {
                poll(10);
                if (System.nanoTime() > deadline) {
                    return registered;
                }
            }
            SocketChannel ch = SocketChannel.open();
            try {
                if (!sources.isEmpty()) {
                    ch.bind(new InetSocketAddress(sources.get(i % sources.size()), 0));
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
            byte[] reg = dialect.register(name(i));
            append(c, reg, 0, reg.length);
            if ((i & 63) == 0) {
                poll(-1);
            }
        }
        while (registered + closedByServer < clients.size() && System.nanoTime() < deadline) {
            poll(10);
        }
        return registered;
    }

    private void growPrefixes(int n) {
        byte[][] bigger = new byte[n][];
        System.arraycopy(prefixes, 0, bigger, 0, prefixes.length);
        for (int i = prefixes.length; i < n; i++) {
            bigger[i] = dialect.messagePrefix(name(i).getBytes(StandardCharsets.US_ASCII));
        }
        prefixes = bigger;
    }

    /** Sends a liveness probe on every open client; returns how many answered within the timeout. */
    long pingAll(int timeoutSeconds) throws IOException {
        byte[] ping = dialect.ping();
        int open = 0;
        for (Client c : clients) {
            c.ponged = false;
            if (!c.dead) {
                append(c, ping, 0, ping.length);
                open++;
            }
        }
        pongs = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        flushDirty();
        while (pongs < open && System.nanoTime() < deadline) {
            poll(10);
        }
        return pongs;
    }

    /**
     * Sends direct messages from random clients to random other clients: at {@code rate}
     * messages per second in all, or, when {@code rate} is 0, as fast as the server delivers
     * them with at most {@code window} messages in flight (sent, not yet received). The first
     * {@code warmupSeconds} are not measured. Afterwards waits at most 10 s for messages still in
     * flight (those that never arrive are counted lost). Returns the measured window's figures.
     *
     * @param serverCpuMillis the server's CPU time so far, sampled at the start and end of the
     *                        measured window (null: not reported)
     */
    Run traffic(double rate, double warmupSeconds, double seconds, int window, long seed, LongSupplier serverCpuMillis)
            throws IOException {
        if (clients.size() < 2) {
            throw new IllegalStateException("traffic needs at least two clients");
        }
        SplittableRandom random = new SplittableRandom(seed);
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupSeconds * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        long sentAtStart = sent;
        long receivedAt0 = 0;
        long sentAt0 = 0;
        long acksAt0 = 0;
        long queuedAt0 = 0;
        long errorsAt0 = 0;
        long genCpu0 = 0;
        long srvCpu0 = 0;
        recording = false;
        long now = start;
        // In fixed-rate mode nothing caps what is in flight but this: a server that falls more
        // than 10 s behind is not worth waiting for.
        long inFlightCap = rate > 0 ? (long) Math.max(window, rate * 10) : window;
        while (now < end) {
            if (!recording && now >= measureFrom) {
                recording = true;
                histogram = new Histogram(HIGHEST_LATENCY_NANOS, 3);
                receivedAt0 = received;
                sentAt0 = sent;
                acksAt0 = acks;
                queuedAt0 = queued;
                errorsAt0 = errors;
                genCpu0 = BenchServer.cpuMillis(ProcessHandle.current().pid());
                srvCpu0 = serverCpuMillis == null ? 0 : serverCpuMillis.getAsLong();
            }
            long target = rate > 0 ? sentAtStart + (long) ((now - start) * rate / 1e9) : Long.MAX_VALUE;
            while (sent < target && sent - received < inFlightCap) {
                sendRandom(random, now);
            }
            flushDirty();
            poll(rate > 0 ? 1 : 10);
            now = System.nanoTime();
        }
        long receivedInWindow = received - receivedAt0;
        long genCpu = BenchServer.cpuMillis(ProcessHandle.current().pid()) - genCpu0;
        long srvCpu = serverCpuMillis == null ? 0 : serverCpuMillis.getAsLong() - srvCpu0;
        double measured = (System.nanoTime() - measureFrom) / 1e9;
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received < sent && System.nanoTime() < drainUntil && closedByServer == 0) {
            poll(10);
        }
        recording = false;
        return new Run(measured, sent - sentAt0, receivedInWindow, acks - acksAt0, queued - queuedAt0, errors - errorsAt0,
                sent - received, receivedInWindow / measured, histogram,
                genCpu * 100.0 / (measured * 1000), srvCpu * 100.0 / (measured * 1000));
    }

    /**
     * Sends {@code perRecipient} messages to each of {@code recipients} names
     * ({@code recipientPrefix} and a number from 0), from this engine's open clients in turn,
     * keeping at most {@code window} unanswered. Litsxg only: for recipients that are not
     * connected each is answered {@code OK queued} (or an error). Returns the number answered
     * {@code OK queued}; gives up after {@code timeoutSeconds}.
     */
    long queueFor(String recipientPrefix, int recipients, int perRecipient, int window, int timeoutSeconds) throws IOException {
        byte[][] to = new byte[recipients][];
        for (int r = 0; r < recipients; r++) {
            to[r] = dialect.messagePrefix((recipientPrefix + r).getBytes(StandardCharsets.US_ASCII));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        long queued0 = queued;
        long errors0 = errors;
        long total = (long) recipients * perRecipient;
        long issued = 0;
        int senders = clients.size();
        long now = System.nanoTime();
        for (int round = 0; round < perRecipient; round++) {
            for (int r = 0; r < recipients; r++) {
                while (issued - (queued - queued0) - (errors - errors0) >= window) {
                    flushDirty();
                    poll(10);
                    if (System.nanoTime() > deadline) {
                        return queued - queued0;
                    }
                    now = System.nanoTime();
                }
                message(clients.get((int) (issued % senders)), to[r], now);
                issued++;
            }
        }
        flushDirty();
        while ((queued - queued0) + (errors - errors0) < total && System.nanoTime() < deadline) {
            poll(10);
        }
        return queued - queued0;
    }

    /** Messages received so far, by every client. */
    long received() {
        return received;
    }

    /** Waits until {@code count} messages in all have been received or the timeout passed. */
    long awaitReceived(long count, int timeoutSeconds) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (received < count && System.nanoTime() < deadline) {
            poll(10);
        }
        return received;
    }

    private void sendRandom(SplittableRandom random, long now) {
        int n = clients.size();
        Client from = clients.get(random.nextInt(n));
        int to = random.nextInt(n - 1);
        if (to >= from.index) {
            to++;
        }
        message(from, prefixes[to], now);
    }

    private void message(Client from, byte[] prefix, long now) {
        ensure(from, prefix.length + size + lineEnd.length);
        byte[] out = from.out;
        int at = from.outLength;
        System.arraycopy(prefix, 0, out, at, prefix.length);
        at += prefix.length;
        long stamp = now - base;
        for (int i = STAMP_DIGITS - 1; i >= 0; i--) {
            out[at + i] = HEX[(int) (stamp & 0xf)];
            stamp >>>= 4;
        }
        at += STAMP_DIGITS;
        out[at++] = ' ';
        for (int i = STAMP_DIGITS + 1; i < size; i++) {
            out[at++] = 'x';
        }
        System.arraycopy(lineEnd, 0, out, at, lineEnd.length);
        from.outLength = at + lineEnd.length;
        sent++;
        markDirty(from);
    }

    private void append(Client c, byte[] bytes, int off, int len) {
        ensure(c, len);
        System.arraycopy(bytes, off, c.out, c.outLength, len);
        c.outLength += len;
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

    private void flushDirty() {
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
    private void poll(long timeoutMillis) throws IOException {
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
                line(c, c.partial, 0, len, now);
            } else {
                line(c, a, start, i - start, now);
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

    private void line(Client c, byte[] b, int off, int len, long now) {
        if (len > 0 && b[off + len - 1] == '\r') {
            len--;
        }
        switch (dialect.classify(b, off, len)) {
            case MESSAGE -> {
                received++;
                if (recording && len >= size) {
                    long latency = now - base - parseStamp(b, off + len - size);
                    histogram.recordValue(Math.max(0, Math.min(latency, HIGHEST_LATENCY_NANOS)));
                }
            }
            case ACK -> acks++;
            case QUEUED -> queued++;
            case REGISTERED -> {
                if (!c.registered) {
                    c.registered = true;
                    registered++;
                }
            }
            case PONG -> {
                if (!c.ponged) {
                    c.ponged = true;
                    pongs++;
                }
            }
            case SERVER_PING -> {
                byte[] pong = Dialect.pongFor(b, off, len);
                append(c, pong, 0, pong.length);
            }
            case ERROR -> {
                errors++;
                if (firstErrors.size() < 5) {
                    firstErrors.add(name(c.index) + " got: " + new String(b, off, len, StandardCharsets.UTF_8));
                }
            }
            case OTHER -> {
                // welcome burst, notices: nothing to count
            }
        }
    }

    private static long parseStamp(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < STAMP_DIGITS; i++) {
            int d = b[off + i];
            v = (v << 4) | (d <= '9' ? d - '0' : d - 'a' + 10);
        }
        return v;
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

    /** Closes every client connection (not counted as closed by the server). */
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

package org.litsxg.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak benchmark's clients, driven by one selector on the calling thread: each write goes
 * out at once (what the socket does not take waits for OP_WRITE); replies on one connection
 * come in order, so each {@code OK delivered} is matched with the oldest unanswered
 * {@code SEND} of that connection to measure its latency. The counters are read by the
 * sampler thread.
 */
final class SoakClients implements AutoCloseable {
    private final Client[] all;
    private final int size;
    private final int rate;
    private final int timeoutSeconds;
    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    final AtomicLong sent = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    private final List<Long> latencies = new ArrayList<>();

    /**
     * @param clients how many
     * @param size    message text size
     * @param rate    messages per second over all clients
     */
    SoakClients(int clients, int size, int rate, int timeoutSeconds) throws IOException {
        this.all = new Client[clients];
        this.size = size;
        this.rate = rate;
        this.timeoutSeconds = timeoutSeconds;
        this.selector = Selector.open();
    }

    /** The 99th percentile of the latencies since the last call, in nanoseconds (0: none), and forgets them. */
    long p99AndReset() {
        synchronized (latencies) {
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            latencies.clear();
            return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))];
        }
    }

    /** Closes every client connection. */
    void closeChannels() throws IOException {
        for (Client c : all) {
            c.channel.close();
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
    }

    /** One client connection with its pending output and unanswered SENDs. */
    private static final class Client {
        final int index;
        final SocketChannel channel;
        final StringBuilder in = new StringBuilder();
        final ArrayDeque<Long> outstanding = new ArrayDeque<>();
        ByteBuffer out;
        String lastReply;
        int replies;

        Client(int index, SocketChannel channel) {
            this.index = index;
            this.channel = channel;
        }
    }

    private String name(int i) {
        return "soak" + i;
    }

    void connect(InetSocketAddress address) throws IOException {
        for (int i = 0; i < all.length; i++) {
            SocketChannel ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connect(address);
            ch.configureBlocking(false);
            all[i] = new Client(i, ch);
            ch.register(selector, SelectionKey.OP_READ, all[i]);
        }
    }

    /** Authenticates every client; returns how many were answered {@code OK registered} or {@code OK authenticated}. */
    long authenticate() throws IOException {
        for (Client c : all) {
            write(c, "AUTH " + name(c.index) + " soak-secret-" + c.index);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline && Arrays.stream(all).anyMatch(c -> c.replies == 0)) {
            poll(1000);
        }
        return Arrays.stream(all).filter(c -> "OK registered".equals(c.lastReply) || "OK authenticated".equals(c.lastReply)).count();
    }

    /** Sends PING on every client; returns how many answered PONG. */
    long pingAll() throws IOException {
        for (Client c : all) {
            c.lastReply = null;
            write(c, "PING");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline && Arrays.stream(all).anyMatch(c -> c.channel.isOpen() && !"PONG".equals(c.lastReply))) {
            poll(1000);
        }
        return Arrays.stream(all).filter(c -> "PONG".equals(c.lastReply)).count();
    }

    /** Sends {@code rate} messages per second from random clients to random others until the end. */
    void traffic(Random random, long start, long durationMillis) throws IOException {
        String pad = ".".repeat(size);
        long end = start + TimeUnit.MILLISECONDS.toNanos(durationMillis);
        long due = 0;
        long n = 0;
        for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
            long shouldHaveSent = (now - start) * rate / 1_000_000_000L;
            while (due < shouldHaveSent) {
                Client from = all[random.nextInt(all.length)];
                int to = random.nextInt(all.length - 1);
                if (to >= from.index) {
                    to++;
                }
                String text = "m" + (n++) + " " + pad;
                from.outstanding.add(System.nanoTime());
                write(from, "SEND " + name(to) + " " + text.substring(0, size));
                sent.incrementAndGet();
                due++;
            }
            poll(5);
        }
        // let the last replies arrive
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < drainUntil && Arrays.stream(all).anyMatch(c -> !c.outstanding.isEmpty())) {
            poll(100);
        }
    }

    private void write(Client c, String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        if (c.out != null && c.out.hasRemaining()) {
            ByteBuffer joined = ByteBuffer.allocate(c.out.remaining() + bytes.remaining());
            joined.put(c.out).put(bytes).flip();
            bytes = joined;
        }
        if (!c.channel.isOpen()) {
            return;
        }
        c.channel.write(bytes);
        c.out = bytes.hasRemaining() ? bytes : null;
        c.channel.keyFor(selector).interestOps(SelectionKey.OP_READ | (c.out != null ? SelectionKey.OP_WRITE : 0));
    }

    private void poll(long timeoutMillis) throws IOException {
        selector.select(timeoutMillis);
        for (SelectionKey key : selector.selectedKeys()) {
            Client c = (Client) key.attachment();
            if (!key.isValid()) {
                continue;
            }
            if (key.isWritable() && c.out != null) {
                c.channel.write(c.out);
                if (!c.out.hasRemaining()) {
                    c.out = null;
                    key.interestOps(SelectionKey.OP_READ);
                }
            }
            if (key.isValid() && key.isReadable()) {
                readBuffer.clear();
                int n;
                try {
                    n = c.channel.read(readBuffer);
                } catch (IOException e) {
                    n = -1;
                }
                if (n < 0) {
                    errors.incrementAndGet();
                    key.cancel();
                    c.channel.close();
                    continue;
                }
                c.in.append(new String(readBuffer.array(), 0, n, StandardCharsets.UTF_8));
                int lf;
                while ((lf = c.in.indexOf("\n")) >= 0) {
                    line(c, c.in.substring(0, lf));
                    c.in.delete(0, lf + 1);
                }
            }
        }
        selector.selectedKeys().clear();
    }

    private void line(Client c, String line) {
        if (line.startsWith("MSG ")) {
            received.incrementAndGet();
            return;
        }
        c.replies++;
        c.lastReply = line;
        if (line.equals("OK delivered") || line.startsWith("ERR ")) {
            Long sentAt = c.outstanding.poll();
            if (line.equals("OK delivered")) {
                delivered.incrementAndGet();
                if (sentAt != null) {
                    synchronized (latencies) {
                        latencies.add(System.nanoTime() - sentAt);
                    }
                }
            } else {
                errors.incrementAndGet();
            }
        } else if (!line.equals("PONG") && !line.startsWith("OK ")) {
            errors.incrementAndGet();
        }
    }
}

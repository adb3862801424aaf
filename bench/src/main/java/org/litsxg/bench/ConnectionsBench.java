package org.litsxg.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code litsxg bench connections}: opens N connections from one selector thread, authenticates
 * every one, checks that every one answers PING, holds them, checks again, and reports the
 * server's resident memory. Without {@code --server} it starts the reference server from its
 * jar in a temporary data directory (with a low PBKDF2 cost, so that N registrations do not
 * dominate the run) and stops it afterwards.
 */
@Command(name = "connections", mixinStandardHelpOptions = true,
        description = "Hold N authenticated connections on one server and report its memory.")
public final class ConnectionsBench extends Benchmark {
    @Option(names = "--count", description = "Connections to hold (default: ${DEFAULT-VALUE}).")
    int count = 10_000;

    @Option(names = "--hold", paramLabel = "SECONDS", description = "How long to hold them before the last check (default: ${DEFAULT-VALUE}).")
    int holdSeconds = 10;

    @Mixin
    BenchOptions.RunningServer server = new BenchOptions.RunningServer();

    @Mixin
    BenchOptions.Timeout timeout = new BenchOptions.Timeout(300);

    @Override
    public Integer call() throws Exception {
        BenchServer process = null;
        InetSocketAddress address;
        if (!server.given()) {
            process = BenchServer.start(BenchServer.Kind.LITSXG,
                    new BenchServer.Settings(servers, count + 16, 1000, Math.max(30, timeout.seconds), 60));
            address = process.address;
        } else {
            address = server.address();
        }
        try {
            long rssBefore = rssKb(process);
            List<SocketChannel> channels = new ArrayList<>(count);
            long t0 = System.nanoTime();
            try (Selector selector = Selector.open()) {
                for (int i = 0; i < count; i++) {
                    SocketChannel ch = SocketChannel.open();
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    ch.connect(address);
                    ch.configureBlocking(false);
                    ch.register(selector, 0, i);
                    channels.add(ch);
                }
                long connected = System.nanoTime();
                int ok = roundTrip(selector, channels, i -> "AUTH b" + i + " bench-secret-" + i, "OK ");
                long authed = System.nanoTime();
                System.out.printf("connected %d in %d ms; authenticated %d in %d ms%n", count,
                        TimeUnit.NANOSECONDS.toMillis(connected - t0), ok, TimeUnit.NANOSECONDS.toMillis(authed - connected));
                int pongs = roundTrip(selector, channels, i -> "PING", "PONG");
                long rssHeld = rssKb(process);
                System.out.printf("answered PING on %d of %d connections%n", pongs, count);
                if (process != null) {
                    System.out.printf("server RSS: %d KiB before, %d KiB holding %d connections (%.0f bytes per connection)%n",
                            rssBefore, rssHeld, count, (rssHeld - rssBefore) * 1024.0 / count);
                }
                await(holdSeconds);
                int after = roundTrip(selector, channels, i -> "PING", "PONG");
                System.out.printf("after holding %d s: %d of %d still answer%n", holdSeconds, after, count);
                for (SocketChannel ch : channels) {
                    ch.close();
                }
                boolean held = ok == count && pongs == count && after == count;
                System.out.println(held ? "held: " + count + " authenticated connections" : "FAILED to hold " + count + " connections");
                return held ? BenchMain.OK : BenchMain.FAILED;
            }
        } finally {
            if (process != null) {
                process.close();
            }
        }
    }

    /** Sends one line on every channel and counts replies that start with {@code expect}. */
    private int roundTrip(Selector selector, List<SocketChannel> channels, Function<Integer, String> line, String expect)
            throws IOException {
        ByteBuffer[] pendingOut = new ByteBuffer[channels.size()];
        StringBuilder[] in = new StringBuilder[channels.size()];
        for (int i = 0; i < channels.size(); i++) {
            pendingOut[i] = ByteBuffer.wrap((line.apply(i) + "\n").getBytes(StandardCharsets.UTF_8));
            in[i] = new StringBuilder();
            channels.get(i).keyFor(selector).interestOps(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
        }
        int done = 0;
        int good = 0;
        ByteBuffer buf = ByteBuffer.allocate(4096);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout.seconds);
        while (done < channels.size() && System.nanoTime() < deadline) {
            selector.select(1000);
            for (SelectionKey key : selector.selectedKeys()) {
                int i = (Integer) key.attachment();
                SocketChannel ch = (SocketChannel) key.channel();
                if (key.isValid() && key.isWritable()) {
                    ch.write(pendingOut[i]);
                    if (!pendingOut[i].hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                }
                if (key.isValid() && key.isReadable()) {
                    buf.clear();
                    int n = ch.read(buf);
                    if (n < 0) {
                        key.interestOps(0);
                        done++;
                        continue;
                    }
                    in[i].append(new String(buf.array(), 0, n, StandardCharsets.UTF_8));
                    int lf = in[i].indexOf("\n");
                    if (lf >= 0) {
                        if (in[i].substring(0, lf).startsWith(expect)) {
                            good++;
                        }
                        key.interestOps(0);
                        done++;
                    }
                }
            }
            selector.selectedKeys().clear();
        }
        return good;
    }

    private static void await(int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Object lock = new Object();
        synchronized (lock) {
            long left;
            while ((left = end - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
    }

    private static long rssKb(BenchServer process) {
        return process == null ? 0 : process.rssKib();
    }
}

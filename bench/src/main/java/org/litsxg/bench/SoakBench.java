package org.litsxg.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code litsxg bench soak}: holds N authenticated clients for a bounded time while they send
 * messages to random peers at a fixed total rate, samples the server's resident memory
 * ({@code /proc/<pid>/status}) and live heap ({@code jcmd <pid> GC.run}, then
 * {@code GC.heap_info}) every {@code --sample} seconds, prints one table row per sample, and
 * judges whether memory stayed flat: after the warm-up, the mean of the last third of the
 * samples must not exceed the mean of the first third by more than the tolerance
 * ({@code --tolerance} percent, at least {@link #TOLERANCE_FLOOR_KIB} KiB). Exit 0 when memory is
 * flat and every client is still connected and answered, 1 otherwise.
 *
 * <p>One selector thread drives every client; replies on one connection come in order, so each
 * {@code OK delivered} is matched with the oldest unanswered {@code SEND} of that connection to
 * measure its latency. Without {@code --server} the reference server is started from its jar
 * in a temporary data directory and stopped afterwards.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Hold N active clients for a bounded time and report whether server heap and RSS stay flat.")
public final class SoakBench implements Callable<Integer> {
    /** Growth below this many KiB is never called a leak (GC and allocator noise). */
    static final long TOLERANCE_FLOOR_KIB = 1024;

    @Spec
    private CommandSpec spec;

    @Option(names = "--clients", description = "Authenticated clients to hold (default: ${DEFAULT-VALUE}).")
    int clients = 1000;

    @Option(names = "--minutes", description = "How long the clients send, warm-up included (default: ${DEFAULT-VALUE}).")
    double minutes = 10;

    @Option(names = "--rate", paramLabel = "PER-SECOND", description = "Messages per second over all clients (default: ${DEFAULT-VALUE}).")
    int rate = 500;

    @Option(names = "--size", paramLabel = "BYTES", description = "Message text size (default: ${DEFAULT-VALUE}).")
    int size = 64;

    @Option(names = "--sample", paramLabel = "SECONDS", description = "Seconds between memory samples (default: ${DEFAULT-VALUE}).")
    int sampleSeconds = 10;

    @Option(names = "--warmup", paramLabel = "SECONDS", description = "Samples in the first SECONDS are not judged (default: min(60, a quarter of the run)).")
    Integer warmupSeconds;

    @Option(names = "--tolerance", paramLabel = "PERCENT", description = "Allowed growth of the last third over the first third (default: ${DEFAULT-VALUE}).")
    double tolerancePercent = 10;

    @Option(names = "--server", paramLabel = "HOST:PORT", description = "An already running server (default: start the reference server).")
    String server;

    @Option(names = "--server-pid", paramLabel = "PID", description = "Process id of --server, for its memory samples.")
    Long serverPid;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Bound on connecting and authenticating (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 120;

    @Option(names = "--seed", description = "Seed for picking senders and recipients (default: random, printed).")
    Long seed;

    @Mixin
    ServerOptions servers = new ServerOptions();

    /** One memory sample. */
    record Sample(double seconds, long rssKib, long heapUsedKib, long sent, long delivered, long received,
                  long errors, long p99Micros) {
    }

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final List<Long> latencies = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (clients < 2 || minutes <= 0 || rate < 1 || size < 1 || size > 4000 || sampleSeconds < 1) {
            throw new ParameterException(spec.commandLine(),
                    "need --clients >= 2, --minutes > 0, --rate >= 1, --size 1..4000, --sample >= 1");
        }
        if (server != null && serverPid == null) {
            throw new ParameterException(spec.commandLine(), "--server needs --server-pid to sample the server's memory");
        }
        long durationMillis = (long) (minutes * 60_000);
        long warmupMillis = warmupSeconds != null ? warmupSeconds * 1000L : Math.min(60_000, durationMillis / 4);
        long runSeed = seed != null ? seed : new Random().nextLong();
        BenchServer process = null;
        InetSocketAddress address;
        long pid;
        if (server == null) {
            process = BenchServer.start(BenchServer.Kind.LITSXG,
                    new BenchServer.Settings(servers, clients + 16, 1000, Math.max(30, timeoutSeconds), 60));
            address = process.address;
            pid = process.pid();
        } else {
            int colon = server.lastIndexOf(':');
            address = new InetSocketAddress(server.substring(0, colon), Integer.parseInt(server.substring(colon + 1)));
            pid = serverPid;
        }
        System.out.printf("soak: %d clients, %d messages/s of %d bytes, %.1f min, sample every %d s, warm-up %d s, "
                        + "tolerance %.0f%% (at least %d KiB), seed %d, server pid %d%n",
                clients, rate, size, minutes, sampleSeconds, warmupMillis / 1000, tolerancePercent, TOLERANCE_FLOOR_KIB, runSeed, pid);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soak-sampler");
            t.setDaemon(true);
            return t;
        });
        try (Selector selector = Selector.open()) {
            Client[] all = connect(selector, address);
            long authed = authenticate(selector, all);
            System.out.printf("authenticated %d of %d clients%n", authed, clients);
            if (authed != clients) {
                System.out.println("FAILED: not every client authenticated");
                return BenchMain.FAILED;
            }
            List<Sample> samples = new ArrayList<>();
            long start = System.nanoTime();
            System.out.printf("%8s %10s %12s %10s %10s %10s %7s %9s%n",
                    "t (s)", "RSS KiB", "heap KiB", "sent", "delivered", "received", "errors", "p99 ms");
            sampler.scheduleAtFixedRate(() -> {
                Sample s = sample(pid, start);
                synchronized (samples) {
                    samples.add(s);
                }
                System.out.printf("%8.0f %10d %12d %10d %10d %10d %7d %9.2f%n", s.seconds(), s.rssKib(), s.heapUsedKib(),
                        s.sent(), s.delivered(), s.received(), s.errors(), s.p99Micros() / 1000.0);
            }, 0, sampleSeconds, TimeUnit.SECONDS);
            traffic(selector, all, new Random(runSeed), start, durationMillis);
            sampler.shutdown();
            if (!sampler.awaitTermination(60, TimeUnit.SECONDS)) {
                System.out.println("the last memory sample did not finish");
            }
            Sample last = sample(pid, start);
            samples.add(last);
            System.out.printf("%8.0f %10d %12d %10d %10d %10d %7d %9.2f  (final)%n", last.seconds(), last.rssKib(),
                    last.heapUsedKib(), last.sent(), last.delivered(), last.received(), last.errors(), last.p99Micros() / 1000.0);
            long alive = pingAll(selector, all);
            System.out.printf("after %.1f min: %d of %d clients answer PING%n", (System.nanoTime() - start) / 60e9, alive, clients);
            boolean healthy = alive == clients && errors.get() == 0 && received.get() > 0;
            boolean flat = verdict(samples, warmupMillis);
            for (Client c : all) {
                c.channel.close();
            }
            System.out.println(flat && healthy ? "flat: heap and RSS stayed flat with " + clients + " active clients"
                    : "FAILED: " + (flat ? "" : "memory grew; ") + (healthy ? "" : "clients lost or errors"));
            return flat && healthy ? BenchMain.OK : BenchMain.FAILED;
        } finally {
            sampler.shutdownNow();
            if (process != null) {
                process.close();
            }
        }
    }

    /** Compares the mean of the last third of the judged samples with the first third's. */
    private boolean verdict(List<Sample> samples, long warmupMillis) {
        List<Sample> judged = samples.stream().filter(s -> s.seconds() * 1000 >= warmupMillis).toList();
        if (judged.size() < 3) {
            System.out.println("too few samples after warm-up to judge (" + judged.size() + "); run longer");
            return false;
        }
        int third = judged.size() / 3;
        List<Sample> first = judged.subList(0, third);
        List<Sample> last = judged.subList(judged.size() - third, judged.size());
        boolean rss = judge("RSS", first.stream().mapToLong(Sample::rssKib).average().orElse(0),
                last.stream().mapToLong(Sample::rssKib).average().orElse(0));
        boolean heap = judge("heap after GC", first.stream().mapToLong(Sample::heapUsedKib).average().orElse(0),
                last.stream().mapToLong(Sample::heapUsedKib).average().orElse(0));
        return rss && heap;
    }

    private boolean judge(String what, double firstMean, double lastMean) {
        double allowed = Math.max(firstMean * tolerancePercent / 100, TOLERANCE_FLOOR_KIB);
        boolean ok = firstMean > 0 && lastMean - firstMean <= allowed;
        System.out.printf("%s: first third mean %.0f KiB, last third mean %.0f KiB, change %+.1f%% (allowed +%.0f KiB): %s%n",
                what, firstMean, lastMean, (lastMean - firstMean) * 100 / firstMean, allowed, ok ? "flat" : "GREW");
        return ok;
    }

    private Sample sample(long pid, long start) {
        long p99;
        synchronized (latencies) {
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            latencies.clear();
            p99 = sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))];
        }
        return new Sample((System.nanoTime() - start) / 1e9, rssKib(pid), heapAfterGcKib(pid), sent.get(),
                delivered.get(), received.get(), errors.get(), p99 / 1000);
    }

    // ---- clients ----

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

    private Client[] connect(Selector selector, InetSocketAddress address) throws IOException {
        Client[] all = new Client[clients];
        for (int i = 0; i < clients; i++) {
            SocketChannel ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connect(address);
            ch.configureBlocking(false);
            all[i] = new Client(i, ch);
            ch.register(selector, SelectionKey.OP_READ, all[i]);
        }
        return all;
    }

    private long authenticate(Selector selector, Client[] all) throws IOException {
        for (Client c : all) {
            write(selector, c, "AUTH " + name(c.index) + " soak-secret-" + c.index);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline && Arrays.stream(all).anyMatch(c -> c.replies == 0)) {
            poll(selector, 1000);
        }
        return Arrays.stream(all).filter(c -> "OK registered".equals(c.lastReply) || "OK authenticated".equals(c.lastReply)).count();
    }

    private long pingAll(Selector selector, Client[] all) throws IOException {
        for (Client c : all) {
            c.lastReply = null;
            write(selector, c, "PING");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline && Arrays.stream(all).anyMatch(c -> c.channel.isOpen() && !"PONG".equals(c.lastReply))) {
            poll(selector, 1000);
        }
        return Arrays.stream(all).filter(c -> "PONG".equals(c.lastReply)).count();
    }

    /** Sends {@code rate} messages per second from random clients to random others until the end. */
    private void traffic(Selector selector, Client[] all, Random random, long start, long durationMillis) throws IOException {
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
                write(selector, from, "SEND " + name(to) + " " + text.substring(0, size));
                sent.incrementAndGet();
                due++;
            }
            poll(selector, 5);
        }
        // let the last replies arrive
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < drainUntil && Arrays.stream(all).anyMatch(c -> !c.outstanding.isEmpty())) {
            poll(selector, 100);
        }
    }

    private void write(Selector selector, Client c, String line) throws IOException {
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

    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);

    private void poll(Selector selector, long timeoutMillis) throws IOException {
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

    // ---- the server process ----

    private static long rssKib(long pid) {
        return ProcStats.statusField(pid, "VmRSS:");
    }

    /** Live heap: a full GC in the server, then the used heap. -1 if jcmd fails. */
    private static long heapAfterGcKib(long pid) {
        return ProcStats.heapAfterGcKib(pid);
    }
}

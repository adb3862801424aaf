package org.litsxg.bench;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
public final class SoakBench extends Benchmark {
    /** Growth below this many KiB is never called a leak (GC and allocator noise). */
    static final long TOLERANCE_FLOOR_KIB = 1024;

    @Option(names = "--clients", description = "Authenticated clients to hold (default: ${DEFAULT-VALUE}).")
    int clients = 1000;

    @Option(names = "--minutes", description = "How long the clients send, warm-up included (default: ${DEFAULT-VALUE}).")
    double minutes = 10;

    @Option(names = "--rate", paramLabel = "PER-SECOND", description = "Messages per second over all clients (default: ${DEFAULT-VALUE}).")
    int rate = 500;

    @Option(names = "--sample", paramLabel = "SECONDS", description = "Seconds between memory samples (default: ${DEFAULT-VALUE}).")
    int sampleSeconds = 10;

    @Option(names = "--warmup", paramLabel = "SECONDS", description = "Samples in the first SECONDS are not judged (default: min(60, a quarter of the run)).")
    Integer warmupSeconds;

    @Option(names = "--tolerance", paramLabel = "PERCENT", description = "Allowed growth of the last third over the first third (default: ${DEFAULT-VALUE}).")
    double tolerancePercent = 10;

    @Option(names = "--server-pid", paramLabel = "PID", description = "Process id of --server, for its memory samples.")
    Long serverPid;

    @Option(names = "--seed", description = "Seed for picking senders and recipients (default: random, printed).")
    Long seed;

    @Mixin
    BenchOptions.MessageSize message = new BenchOptions.MessageSize();

    @Mixin
    BenchOptions.RunningServer server = new BenchOptions.RunningServer();

    @Mixin
    BenchOptions.Timeout timeout = new BenchOptions.Timeout(120);

    /** One memory sample. */
    record Sample(double seconds, long rssKib, long heapUsedKib, long sent, long delivered, long received,
                  long errors, long p99Micros) {
    }

    @Override
    public Integer call() throws Exception {
        if (clients < 2 || minutes <= 0 || rate < 1 || message.bytes < 1 || message.bytes > 4000 || sampleSeconds < 1) {
            throw usage(
                    "need --clients >= 2, --minutes > 0, --rate >= 1, --size 1..4000, --sample >= 1");
        }
        if (server.given() && serverPid == null) {
            throw usage("--server needs --server-pid to sample the server's memory");
        }
        long durationMillis = (long) (minutes * 60_000);
        long warmupMillis = warmupSeconds != null ? warmupSeconds * 1000L : Math.min(60_000, durationMillis / 4);
        long runSeed = seed != null ? seed : new Random().nextLong();
        BenchServer process = null;
        InetSocketAddress address;
        long pid;
        if (!server.given()) {
            process = BenchServer.start(BenchServer.Kind.LITSXG,
                    new BenchServer.Settings(servers, clients + 16, 1000, Math.max(30, timeout.seconds), 60));
            address = process.address;
            pid = process.pid();
        } else {
            address = server.address();
            pid = serverPid;
        }
        System.out.printf("soak: %d clients, %d messages/s of %d bytes, %.1f min, sample every %d s, warm-up %d s, "
                        + "tolerance %.0f%% (at least %d KiB), seed %d, server pid %d%n",
                clients, rate, message.bytes, minutes, sampleSeconds, warmupMillis / 1000, tolerancePercent, TOLERANCE_FLOOR_KIB, runSeed, pid);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soak-sampler");
            t.setDaemon(true);
            return t;
        });
        try (SoakClients all = new SoakClients(clients, message.bytes, rate, timeout.seconds)) {
            all.connect(address);
            long authed = all.authenticate();
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
                Sample s = sample(all, pid, start);
                synchronized (samples) {
                    samples.add(s);
                }
                System.out.printf("%8.0f %10d %12d %10d %10d %10d %7d %9.2f%n", s.seconds(), s.rssKib(), s.heapUsedKib(),
                        s.sent(), s.delivered(), s.received(), s.errors(), s.p99Micros() / 1000.0);
            }, 0, sampleSeconds, TimeUnit.SECONDS);
            all.traffic(new Random(runSeed), start, durationMillis);
            sampler.shutdown();
            if (!sampler.awaitTermination(60, TimeUnit.SECONDS)) {
                System.out.println("the last memory sample did not finish");
            }
            Sample last = sample(all, pid, start);
            samples.add(last);
            System.out.printf("%8.0f %10d %12d %10d %10d %10d %7d %9.2f  (final)%n", last.seconds(), last.rssKib(),
                    last.heapUsedKib(), last.sent(), last.delivered(), last.received(), last.errors(), last.p99Micros() / 1000.0);
            long alive = all.pingAll();
            System.out.printf("after %.1f min: %d of %d clients answer PING%n", (System.nanoTime() - start) / 60e9, alive, clients);
            boolean healthy = alive == clients && all.errors.get() == 0 && all.received.get() > 0;
            boolean flat = verdict(samples, warmupMillis);
            all.closeChannels();
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

    private Sample sample(SoakClients all, long pid, long start) {
        long p99 = all.p99AndReset();
        return new Sample((System.nanoTime() - start) / 1e9, rssKib(pid), heapAfterGcKib(pid), all.sent.get(),
                all.delivered.get(), all.received.get(), all.errors.get(), p99 / 1000);
    }

    private static long rssKib(long pid) {
        return ProcStats.statusField(pid, "VmRSS:");
    }

    /** Live heap: a full GC in the server, then the used heap. -1 if jcmd fails. */
    private static long heapAfterGcKib(long pid) {
        return ProcStats.heapAfterGcKib(pid);
    }
}

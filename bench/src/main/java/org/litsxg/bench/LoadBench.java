package org.litsxg.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code litsxg bench load}: the same workload against the Litsxg reference server and its IRC
 * peers (ngircd, InspIRCd, Ergo: those installed), each started fresh on a loopback port for
 * every run, runs alternating between the targets.
 * {@code --clients} authenticated (or IRC-registered) connections send direct messages of
 * {@code --size} bytes from random clients to random other clients, at a fixed total
 * {@code --rate} or (rate 0) as fast as the server delivers with at most {@code --window} in
 * flight. Each run prints delivered messages per second, end-to-end latency percentiles
 * (HdrHistogram), connections held (answering a liveness probe afterwards), server RSS, live
 * heap after a forced GC (Litsxg), server and generator CPU, and launch-to-listening time; the
 * summary gives each target's median and the ratio Litsxg/peer. A list of {@code --clients}
 * and of {@code --rate} runs every combination (the curves of BENCHMARKS.md). Everything is bounded:
 * set-up by {@code --timeout}, traffic by {@code --warmup} plus {@code --seconds}, then 10 s of
 * drain. Exit 0 when every run held every client and lost nothing, 1 otherwise.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Throughput and latency of direct messages, Litsxg against its IRC peers.")
public final class LoadBench extends Benchmark {

    @Option(names = "--clients", split = ",", paramLabel = "N",
            description = "Connections; a list runs each (default: 1000).")
    List<Integer> clientCounts = List.of(1000);

    /** The connections of the runs under way. */
    private int clients;

    @Option(names = "--rate", split = ",", paramLabel = "PER-SECOND",
            description = "Messages per second in all; 0 = as fast as possible. A list runs each (default: 0).")
    List<Long> rates = List.of(0L);

    @Option(names = "--window", description = "With rate 0: messages in flight at most (default: 8 per client).")
    Integer window;

    @Option(names = "--seconds", description = "Measured seconds per run (default: ${DEFAULT-VALUE}).")
    double seconds = 10;

    @Option(names = "--warmup", paramLabel = "SECONDS", description = "Unmeasured seconds before (default: ${DEFAULT-VALUE}).")
    double warmup = 3;

    @Option(names = "--repeat", description = "Runs per target and rate; medians are reported (default: ${DEFAULT-VALUE}).")
    int repeat = 3;

    @Option(names = "--seed", description = "Seed for senders and recipients (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--hgrm", paramLabel = "DIR", description = "Write each run's latency percentile distribution (microseconds) here.")
    Path hgrmDir;

    @Option(names = "--label", description = "Scenario name in the output (default: throughput or latency-<rate>).")
    String label;

    @Mixin
    Targets targets = new Targets();

    @Mixin
    BenchOptions.MessageSize message = new BenchOptions.MessageSize();

    @Mixin
    BenchOptions.Timeout timeout = new BenchOptions.Timeout(120);

    @Mixin
    BenchOptions.Csv csv = new BenchOptions.Csv();

    static final String CSV_HEADER = "scenario,target,run,clients,size,rate,seconds,delivered_per_s,p50_us,p90_us,p99_us,"
            + "p999_us,max_us,held,rss_kib,heap_kib,server_cpu_pct,generator_cpu_pct,listen_ms,lost,errors,loadavg";

    /** One run's figures. */
    record Result(String scenario, BenchServer.Kind target, int run, long rate, LoadEngine.Run traffic, long held,
                  long rssKib, long heapKib, double listenMillis, String loadavg) {
        long p(double percentile) {
            return traffic.latency().getValueAtPercentile(percentile) / 1000;
        }
    }

    @Override
    public Integer call() throws Exception {
        int most = clientCounts.stream().mapToInt(Integer::intValue).max().orElse(0);
        int least = clientCounts.stream().mapToInt(Integer::intValue).min().orElse(0);
        if (least < 2 || message.bytes < 24 || message.bytes > 4000 || seconds <= 0 || warmup < 0 || repeat < 1) {
            throw usage("need --clients >= 2, 24 <= --size <= 4000, --seconds > 0, --repeat >= 1");
        }
        List<BenchServer.Kind> kinds = targets.available(servers, spec);
        BenchServer.Settings settings = new BenchServer.Settings(servers, most + 64, 1000,
                Math.max(30, timeout.seconds), timeout.seconds);
        System.out.printf("bench load: %s clients, %d-byte messages, rates %s, %.0f s warm-up + %.0f s measured, %d run(s) each; "
                        + "machine: %d CPUs, load average %s%n", clientCounts, message.bytes, rates, warmup, seconds, repeat,
                Runtime.getRuntime().availableProcessors(), loadavg());
        servers.printJvmOptions();
        boolean allGood = true;
        Map<String, List<Result>> byScenario = new LinkedHashMap<>();
        header();
        for (int n : clientCounts) {
            clients = n;
            for (long rate : rates) {
                String name = label != null ? label + (rates.size() > 1 ? "-" + rate : "") : rate == 0 ? "throughput" : "latency-" + rate;
                String scenario = clientCounts.size() > 1 ? name + "-c" + n : name;
                for (int run = 1; run <= repeat; run++) {
                    for (BenchServer.Kind kind : kinds) {
                        Result r = runOnce(scenario, kind, settings, rate, run);
                        byScenario.computeIfAbsent(scenario, k -> new ArrayList<>()).add(r);
                        row(r);
                        allGood &= r.held() == clients && r.traffic().lost() == 0 && r.traffic().errors() == 0;
                    }
                }
            }
        }
        System.out.println();
        for (var e : byScenario.entrySet()) {
            summary(e.getKey(), e.getValue(), kinds);
        }
        return allGood ? BenchMain.OK : BenchMain.FAILED;
    }

    private Result runOnce(String scenario, BenchServer.Kind kind, BenchServer.Settings settings, long rate, int run)
            throws Exception {
        String load = loadavg();
        try (BenchServer server = BenchServer.start(kind, settings);
             LoadEngine engine = new LoadEngine(kind.dialect, message.bytes, "b")) {
            long registered = engine.connect(server.address, clients, List.of(), kind.registerWindow, timeout.seconds);
            if (registered < clients) {
                System.out.printf("%s: only %d of %d clients registered; %s%n", kind.label, registered, clients, engine.firstErrors());
            }
            int w = window != null ? window : 8 * clients;
            LoadEngine.Run traffic = engine.traffic(rate, warmup, seconds, w, seed + run, server::cpuMillis);
            long rss = server.rssKib();
            long held = engine.pingAll(timeout.seconds);
            long heap = server.heapAfterGcKib();
            if (!engine.firstErrors().isEmpty()) {
                System.out.println(kind.label + " errors: " + engine.firstErrors());
            }
            if (!server.isAlive()) {
                System.out.println(kind.label + " died: " + server.stderr());
            }
            Result r = new Result(scenario, kind, run, rate, traffic, held, rss, heap, server.launchToListeningNanos / 1e6, load);
            writeCsv(r);
            writeHgrm(r);
            return r;
        }
    }

    private static void header() {
        System.out.printf("%-16s %-8s %3s %10s %8s %8s %8s %8s %6s %9s %9s %7s %7s %7s %6s %6s %6s%n",
                "scenario", "target", "run", "msgs/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "held", "RSS KiB",
                "heap KiB", "srv CPU", "gen CPU", "listen", "lost", "errors", "load");
    }

    private static void row(Result r) {
        LoadEngine.Run t = r.traffic();
        System.out.printf("%-16s %-8s %3d %10.0f %8.3f %8.3f %8.3f %8.3f %6d %9d %9s %6.0f%% %6.0f%% %5.0fms %6d %6d %6s%n",
                r.scenario(), r.target().label, r.run(), t.deliveredPerSecond(), r.p(50) / 1000.0, r.p(99) / 1000.0,
                r.p(99.9) / 1000.0, t.latency().getMaxValue() / 1e6, r.held(), r.rssKib(),
                r.heapKib() < 0 ? "-" : String.valueOf(r.heapKib()), t.serverCpuPercent(), t.generatorCpuPercent(),
                r.listenMillis(), t.lost(), t.errors(), r.loadavg().split(" ")[0]);
    }

    private void summary(String scenario, List<Result> results, List<BenchServer.Kind> kinds) {
        Map<BenchServer.Kind, double[]> med = new LinkedHashMap<>();
        for (BenchServer.Kind k : kinds) {
            List<Result> mine = results.stream().filter(r -> r.target() == k).toList();
            med.put(k, new double[] {
                    median(mine.stream().mapToDouble(r -> r.traffic().deliveredPerSecond()).toArray()),
                    median(mine.stream().mapToDouble(r -> r.p(50)).toArray()),
                    median(mine.stream().mapToDouble(r -> r.p(99)).toArray()),
                    median(mine.stream().mapToDouble(r -> r.p(99.9)).toArray()),
                    median(mine.stream().mapToDouble(r -> r.traffic().serverCpuPercent()).toArray()),
                    median(mine.stream().mapToDouble(r -> r.rssKib()).toArray())});
        }
        for (var e : med.entrySet()) {
            double[] m = e.getValue();
            System.out.printf("%s median %s: %.0f msg/s, p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, server CPU %.0f%%, RSS %.0f KiB%n",
                    scenario, e.getKey().label, m[0], m[1] / 1000, m[2] / 1000, m[3] / 1000, m[4], m[5]);
        }
        double[] l = med.get(BenchServer.Kind.LITSXG);
        for (var e : med.entrySet()) {
            double[] n = e.getValue();
            if (l != null && e.getKey() != BenchServer.Kind.LITSXG) {
                System.out.printf("%s ratio litsxg/%s: throughput %.2f, p50 %.2f, p99 %.2f, p99.9 %.2f (latency: lower is better)%n",
                        scenario, e.getKey().label, l[0] / n[0], l[1] / n[1], l[2] / n[2], l[3] / n[3]);
            }
        }
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private void writeCsv(Result r) throws IOException {
        if (!csv.given()) {
            return;
        }
        LoadEngine.Run t = r.traffic();
        String row = String.join(",", r.scenario(), r.target().label, String.valueOf(r.run()), String.valueOf(clients),
                String.valueOf(message.bytes), String.valueOf(r.rate()), String.format("%.1f", t.seconds()),
                String.format("%.0f", t.deliveredPerSecond()), String.valueOf(r.p(50)), String.valueOf(r.p(90)),
                String.valueOf(r.p(99)), String.valueOf(r.p(99.9)), String.valueOf(t.latency().getMaxValue() / 1000),
                String.valueOf(r.held()), String.valueOf(r.rssKib()), String.valueOf(r.heapKib()),
                String.format("%.0f", t.serverCpuPercent()), String.format("%.0f", t.generatorCpuPercent()),
                String.format("%.1f", r.listenMillis()), String.valueOf(t.lost()), String.valueOf(t.errors()),
                r.loadavg().split(" ")[0]);
        csv.append(CSV_HEADER, row);
    }

    private void writeHgrm(Result r) throws IOException {
        if (hgrmDir == null) {
            return;
        }
        Files.createDirectories(hgrmDir);
        Path file = hgrmDir.resolve(r.scenario() + "-" + r.target().label + "-run" + r.run() + ".hgrm");
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
            Histogram h = r.traffic().latency();
            h.outputPercentileDistribution(out, 1000.0); // nanoseconds -> microseconds
        }
    }

    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }
}

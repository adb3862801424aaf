package org.litsxg.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code litsxg bench scale}: as many authenticated idle connections as asked for, on the Litsxg
 * reference server and on its IRC peers in turn, and the server memory each costs. The connections come
 * from {@code --generators} child processes ({@code bench hold}), each from its own loopback
 * source address (127.0.0.2, 127.0.0.3, ...), so that neither a process's file limit nor one
 * address's ephemeral ports bound the count on the client side. The server's RSS (and, for
 * Litsxg, its live heap after a forced GC) is read before the first connection and while every
 * connection is held; the difference divided by the connections held is the memory per
 * connection. Every connection must answer a liveness probe after registering and again after
 * {@code --hold} seconds.
 *
 * <p>A server is one process and holds one descriptor per connection, so the count is bounded by
 * the process's file limit ({@code ulimit -Hn}), which only a privileged process can raise:
 * asked for more, the benchmark says so and measures the most the limit allows.
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Hold N authenticated idle connections on Litsxg and its IRC peers; memory per connection.")
public final class ScaleBench extends Benchmark {
    /** Descriptors a server process needs beside its connections (JVM, jars, database, listener). */
    static final int SERVER_SPARE_FDS = 64;

    @Option(names = "--count", description = "Connections to hold (default: ${DEFAULT-VALUE}).")
    int count = 50_000;

    @Option(names = "--generators", description = "Client processes per step (default: 1 per 10,000 connections of the step).")
    Integer generators;

    @Option(names = "--steps", description = "Connect in this many equal steps, memory read after each (default: ${DEFAULT-VALUE}).")
    int steps = 2;

    @Option(names = "--curve", paramLabel = "FILE", description = "Append one row per step (connections held, RSS, heap) to this CSV file.")
    Path curve;

    @Option(names = "--hold", paramLabel = "SECONDS", description = "Hold time before the last probe (default: ${DEFAULT-VALUE}).")
    int holdSeconds = 10;

    @Mixin
    Targets targets = new Targets();

    @Mixin
    BenchOptions.Timeout timeout = new BenchOptions.Timeout(300);

    @Mixin
    BenchOptions.Csv csv = new BenchOptions.Csv();

    @Override
    public Integer call() throws Exception {
        long fileLimit = fileLimit();
        int possible = (int) Math.min(Integer.MAX_VALUE, fileLimit - SERVER_SPARE_FDS);
        int n = count;
        if (fileLimit > 0 && count > possible) {
            System.out.printf("asked for %d connections, but a server process may open at most %d files here (hard limit of "
                    + "RLIMIT_NOFILE; raising it needs CAP_SYS_RESOURCE): measuring %d%n", count, fileLimit, possible);
            n = possible;
        }
        if (steps < 1 || steps > n) {
            throw usage("--steps must be 1 to the connection count");
        }
        int procs = generators != null ? generators : Math.max(1, (n / steps + 9_999) / 10_000);
        if (procs < 1 || procs * steps > 250) {
            throw usage("--generators times --steps must be 1 to 250 (one source address each)");
        }
        BenchServer.Settings settings = new BenchServer.Settings(servers, n + 16, 1000, Math.max(60, timeout.seconds * 2), 60);
        List<BenchServer.Kind> kinds = targets.available(servers, spec);
        System.out.printf("bench scale: %d connections in %d step(s) of %d generator process(es) each; hold %d s; load average %s%n",
                n, steps, procs, holdSeconds, LoadBench.loadavg());
        servers.printJvmOptions();
        boolean ok = true;
        List<double[]> perConn = new ArrayList<>();
        for (BenchServer.Kind kind : kinds) {
            double[] r = runOnce(kind, settings, n, procs);
            perConn.add(r);
            ok &= r[0] == n;
        }
        for (int k = 1; k < kinds.size(); k++) {
            if (kinds.get(0) == BenchServer.Kind.LITSXG) {
                System.out.printf("ratio litsxg/%s: RSS per connection %.2f (marginal %.2f)%n", kinds.get(k).label,
                        perConn.get(0)[1] / perConn.get(k)[1], perConn.get(0)[3] / perConn.get(k)[3]);
            }
        }
        if (count > n) {
            System.out.printf("NOT MEASURED: %d connections (this machine's file limit allows %d per process)%n", count, n);
        }
        return ok ? BenchMain.OK : BenchMain.FAILED;
    }

    /**
     * Connects in {@code --steps} equal steps, each from its own generator processes, and reads
     * the server's memory before and after each step: the average per connection (all / n) and
     * the marginal cost (the last step only, which leaves out one-time costs such as compiled
     * code and worker threads). Returns {held, RSS bytes per connection, live heap bytes per
     * connection (or -1), marginal RSS bytes per connection}.
     */
    private double[] runOnce(BenchServer.Kind kind, BenchServer.Settings settings, int n, int procs) throws Exception {
        try (BenchServer server = BenchServer.start(kind, settings)) {
            // One client served before the baseline: its one-time costs (session and
            // authentication code, the worker threads) are then not counted per connection.
            server.serveOneClient("baseline");
            long[] m0 = memory(server);
            writeCurve(kind, 0, m0);
            long t0 = System.nanoTime();
            List<Process> workers = new ArrayList<>();
            List<BufferedReader> outs = new ArrayList<>();
            List<PrintWriter> ins = new ArrayList<>();
            try {
                long registered = 0;
                long[] before = m0;
                long[] m2 = m0;
                int connected = 0;
                StringBuilder rss = new StringBuilder().append(m0[0]);
                for (int step = 1; step <= steps; step++) {
                    int upTo = (int) ((long) n * step / steps);
                    before = m2;
                    registered += spawn(kind, server, upTo - connected, procs, (step - 1) * procs, workers, outs, ins);
                    connected = upTo;
                    m2 = memory(server);
                    writeCurve(kind, registered, m2);
                    rss.append(" -> ").append(m2[0]);
                }
                int lastStep = n - (int) ((long) n * (steps - 1) / steps);
                double connectSeconds = (System.nanoTime() - t0) / 1e9;
                long pongs = probe(ins, outs);
                System.out.printf("%s: %d of %d registered in %.1f s; %d answered the probe; RSS %s KiB",
                        kind.label, registered, n, connectSeconds, pongs, rss);
                if (m2[1] >= 0) {
                    System.out.printf("; live heap after GC %d -> %d KiB", m0[1], m2[1]);
                }
                System.out.println();
                Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
                long after = probe(ins, outs);
                long held = Math.min(pongs, after);
                double rssPer = held == 0 ? 0 : (m2[0] - m0[0]) * 1024.0 / held;
                double heapPer = m2[1] < 0 || held == 0 ? -1 : (m2[1] - m0[1]) * 1024.0 / held;
                double rssMarginal = (m2[0] - before[0]) * 1024.0 / Math.max(1, lastStep);
                double heapMarginal = m2[1] < 0 ? -1 : (m2[1] - before[1]) * 1024.0 / Math.max(1, lastStep);
                System.out.printf("%s: after holding %d s, %d of %d answer; RSS %d KiB; per connection: RSS %.0f bytes (marginal %.0f)%s%n",
                        kind.label, holdSeconds, after, n, server.rssKib(), rssPer, rssMarginal,
                        heapPer < 0 ? "" : String.format(", live heap %.0f bytes (marginal %.0f)", heapPer, heapMarginal));
                writeCsv(kind, n, held, connectSeconds, m0, before, m2, rssPer, rssMarginal, heapPer, heapMarginal);
                for (PrintWriter in : ins) {
                    in.println("quit");
                }
                return new double[] {held, rssPer, heapPer, rssMarginal};
            } finally {
                for (Process w : workers) {
                    if (!w.waitFor(30, TimeUnit.SECONDS)) {
                        w.destroyForcibly();
                    }
                }
            }
        }
    }

    private void writeCurve(BenchServer.Kind kind, long connections, long[] m) throws IOException {
        if (curve == null) {
            return;
        }
        String row = String.join(",", kind.label, String.valueOf(connections), String.valueOf(m[0]), String.valueOf(m[1]),
                LoadBench.loadavg().split(" ")[0]);
        BenchOptions.appendRow(curve, "target,connections,rss_kib,heap_kib,loadavg", row);
    }

    /** {RSS KiB, live heap KiB or -1}: the heap first, since its forced GC may give memory back. */
    private static long[] memory(BenchServer server) {
        long heap = server.heapAfterGcKib();
        return new long[] {server.rssKib(), heap};
    }

    /** Starts {@code procs} generator processes for {@code count} connections; returns how many registered. */
    private long spawn(BenchServer.Kind kind, BenchServer server, int count, int procs, int firstProc, List<Process> workers,
                       List<BufferedReader> outs, List<PrintWriter> ins) throws IOException {
        List<BufferedReader> mine = new ArrayList<>();
        for (int i = 0; i < procs; i++) {
            int p = firstProc + i;
            int share = count / procs + (i < count % procs ? 1 : 0);
            Process w = startWorker(kind, server, share, "h" + p + "x", "127.0.0." + (2 + p), procs);
            workers.add(w);
            BufferedReader out = new BufferedReader(new InputStreamReader(w.getInputStream(), StandardCharsets.US_ASCII));
            outs.add(out);
            mine.add(out);
            ins.add(new PrintWriter(w.getOutputStream(), true, StandardCharsets.US_ASCII));
        }
        long registered = 0;
        for (BufferedReader r : mine) {
            registered += number(expect(r, "registered "));
        }
        return registered;
    }

    private Process startWorker(BenchServer.Kind kind, BenchServer server, int share, String prefix, String source, int procs)
            throws IOException {
        Path jar = Path.of(ScaleBench.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-jar", jar.toString(), "hold",
                "--dialect", kind == BenchServer.Kind.LITSXG ? "litsxg" : "irc",
                "--server", server.address.getHostString() + ":" + server.address.getPort(),
                "--count", String.valueOf(share), "--prefix", prefix, "--source", source,
                "--timeout", String.valueOf(timeout.seconds), "--window", String.valueOf(Math.max(1, kind.registerWindow / procs)),
                "--lifetime", String.valueOf(3 * timeout.seconds + holdSeconds + 60));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private long probe(List<PrintWriter> ins, List<BufferedReader> outs) throws IOException {
        for (PrintWriter in : ins) {
            in.println("ping");
        }
        long total = 0;
        for (BufferedReader r : outs) {
            total += number(expect(r, "pong "));
        }
        return total;
    }

    private static String expect(BufferedReader r, String prefix) throws IOException {
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
            System.out.println("  generator: " + line);
        }
        throw new IOException("a generator process ended before saying '" + prefix.trim() + "'");
    }

    private static long number(String s) {
        int sp = s.indexOf(' ');
        return Long.parseLong(sp < 0 ? s : s.substring(0, sp));
    }

    /** This process's file limit (a child started by it gets the same); -1 when unknown. */
    static long fileLimit() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (l.startsWith("Max open files")) {
                    String[] f = l.substring("Max open files".length()).trim().split("\\s+");
                    return f[1].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private void writeCsv(BenchServer.Kind kind, int n, long held, double connectSeconds, long[] m0, long[] m1, long[] m2,
                          double rssPer, double rssMarginal, double heapPer, double heapMarginal) throws IOException {
        if (!csv.given()) {
            return;
        }
        String header = "target,asked,held,connect_s,rss0_kib,rss_before_last_step_kib,rss_all_kib,heap0_kib,heap_before_last_step_kib,heap_all_kib,"
                + "rss_per_conn_bytes,rss_marginal_bytes,heap_per_conn_bytes,heap_marginal_bytes,loadavg";
        String row = String.join(",", kind.label, String.valueOf(n), String.valueOf(held), String.format("%.1f", connectSeconds),
                String.valueOf(m0[0]), String.valueOf(m1[0]), String.valueOf(m2[0]), String.valueOf(m0[1]), String.valueOf(m1[1]),
                String.valueOf(m2[1]), String.format("%.0f", rssPer), String.format("%.0f", rssMarginal),
                String.format("%.0f", heapPer), String.format("%.0f", heapMarginal), LoadBench.loadavg().split(" ")[0]);
        csv.append(header, row);
    }
}

package org.litsxg.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.litsxg.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code litsxg bench startup}: time from launching the server process to its port accepting a
 * TCP connection (polled every millisecond), {@code --runs} times per target, each on a fresh
 * data directory; prints every run, the median, min and max, and the ratio Litsxg/ngircd of the
 * medians. With {@code --cds} the Litsxg server also runs with an application class-data
 * sharing archive that the benchmark first writes ({@code -XX:ArchiveClassesAtExit} on one
 * start and stop), reported as its own target {@code litsxg+cds}.
 */
@Command(name = "startup", mixinStandardHelpOptions = true, description = "Time from launch to listening.")
public final class StartupBench implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--target", split = ",", paramLabel = "litsxg|ngircd", description = "Servers (default: litsxg,ngircd).")
    List<String> targets = List.of("litsxg", "ngircd");

    @Option(names = "--runs", description = "Starts per target (default: ${DEFAULT-VALUE}).")
    int runs = 11;

    @Option(names = "--cds", description = "Also measure Litsxg with an application CDS archive.")
    boolean cds;

    @Option(names = "--jvm-opt", paramLabel = "OPTION", description = "JVM option for the Litsxg server (repeatable).")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--ngircd", paramLabel = "PATH", description = "The ngircd binary (default: ${DEFAULT-VALUE}).")
    String ngircd = "/usr/sbin/ngircd";

    @Override
    public Integer call() throws Exception {
        if (runs < 1) {
            throw new ParameterException(spec.commandLine(), "--runs must be 1 or more");
        }
        System.out.printf("bench startup: %d runs per target; load average %s%n", runs, LoadBench.loadavg());
        if (!jvmOptions.isEmpty()) {
            System.out.println("litsxg server JVM options: " + String.join(" ", jvmOptions));
        }
        List<String> labels = new ArrayList<>();
        List<BenchServer.Kind> kinds = new ArrayList<>();
        List<List<String>> options = new ArrayList<>();
        Path archiveDir = null;
        try {
            for (String t : targets) {
                BenchServer.Kind kind = BenchServer.Kind.parse(t);
                labels.add(kind.label);
                kinds.add(kind);
                options.add(jvmOptions);
                if (kind == BenchServer.Kind.LITSXG && cds) {
                    archiveDir = Files.createTempDirectory("litsxg-cds");
                    Path archive = archiveDir.resolve("litsxg.jsa");
                    List<String> dump = new ArrayList<>(jvmOptions);
                    dump.add("-XX:ArchiveClassesAtExit=" + archive);
                    try (BenchServer s = BenchServer.start(kind, settings(dump))) {
                        s.serveOneClient("cdswarmup"); // the archive then holds a session's classes too
                    }
                    List<String> use = new ArrayList<>(jvmOptions);
                    use.add("-XX:SharedArchiveFile=" + archive);
                    use.add("-Xlog:disable");
                    labels.add("litsxg+cds");
                    kinds.add(kind);
                    options.add(use);
                    System.out.println("litsxg+cds: JVM options " + String.join(" ", use) + " (archive "
                            + Files.size(archive) / 1024 + " KiB)");
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        double[][] millis = new double[labels.size()][runs];
        for (int run = 0; run < runs; run++) {
            for (int k = 0; k < labels.size(); k++) {
                try (BenchServer s = BenchServer.start(kinds.get(k), settings(options.get(k)))) {
                    millis[k][run] = s.launchToListeningNanos / 1e6;
                }
            }
        }
        double ngircdMedian = Double.NaN;
        for (int k = 0; k < labels.size(); k++) {
            if (labels.get(k).equals("ngircd")) {
                ngircdMedian = LoadBench.median(millis[k]);
            }
        }
        for (int k = 0; k < labels.size(); k++) {
            double[] v = millis[k].clone();
            java.util.Arrays.sort(v);
            double med = LoadBench.median(v);
            StringBuilder all = new StringBuilder();
            for (double m : millis[k]) {
                all.append(String.format(" %.0f", m));
            }
            System.out.printf("%-11s median %6.1f ms, min %6.1f, max %6.1f%s; runs (ms):%s%n", labels.get(k), med, v[0],
                    v[v.length - 1], Double.isNaN(ngircdMedian) || labels.get(k).equals("ngircd") ? ""
                            : String.format(", ratio to ngircd %.1f", med / ngircdMedian), all);
        }
        if (archiveDir != null) {
            BenchServer.deleteTree(archiveDir);
        }
        System.out.printf("load average after: %s%n", LoadBench.loadavg());
        return ExitCodes.OK;
    }

    private BenchServer.Settings settings(List<String> jvm) {
        return new BenchServer.Settings(jvm, ngircd, 10_000, 1000, 30, 60);
    }
}

package org.litsxg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code litsxg bench startup}: time from launching the server process to its port accepting a
 * TCP connection (polled every millisecond), {@code --runs} times per target, each on a fresh
 * data directory; prints every run, the median, min and max, and the ratio of the medians to
 * each peer. With {@code --cds} the Litsxg server also runs with an application class-data
 * sharing archive that the benchmark first writes ({@code -XX:ArchiveClassesAtExit} on one
 * start and stop), reported as its own target {@code litsxg+cds}.
 *
 * <p>With {@code --identities} it measures the reference server alone against the number of
 * stored identities: for each count, a data directory whose {@code identities.db} the server
 * itself created (one real registration), filled with that many rows by SQL in the reference
 * schema (generated names, the real row's algorithm and cost, random salts and hashes of the
 * real lengths), then started {@code --runs} times on that same directory.
 */
@Command(name = "startup", mixinStandardHelpOptions = true, description = "Time from launch to listening.")
public final class StartupBench extends Benchmark {

    @Option(names = "--runs", description = "Starts per target (default: ${DEFAULT-VALUE}).")
    int runs = 11;

    @Option(names = "--cds", description = "Also measure Litsxg with an application CDS archive.")
    boolean cds;

    @Option(names = "--identities", split = ",", paramLabel = "N",
            description = "Instead: the reference server alone, on a data directory holding N identities, for each N of the list.")
    List<Integer> identities;

    @Mixin
    Targets targets = new Targets();

    @Mixin
    BenchOptions.Csv csv = new BenchOptions.Csv();

    @Override
    public Integer call() throws Exception {
        if (runs < 1) {
            throw usage("--runs must be 1 or more");
        }
        List<BenchServer.Kind> available = identities == null ? targets.available(servers, spec) : List.of();
        System.out.printf("bench startup: %d runs per target; load average %s%n", runs, LoadBench.loadavg());
        servers.printJvmOptions();
        if (identities != null) {
            for (int n : identities) {
                if (n < 0) {
                    throw usage("--identities must be 0 or more");
                }
            }
            String why = BenchServer.Kind.LITSXG.unavailable(servers);
            if (why != null) {
                throw usage(why);
            }
            return identitiesCurve();
        }
        List<String> labels = new ArrayList<>();
        List<BenchServer.Kind> kinds = new ArrayList<>();
        List<List<String>> options = new ArrayList<>();
        Path archiveDir = null;
        for (BenchServer.Kind kind : available) {
            labels.add(kind.label);
            kinds.add(kind);
            options.add(servers.jvmOptions);
            if (kind == BenchServer.Kind.LITSXG && cds) {
                archiveDir = Files.createTempDirectory("litsxg-cds");
                List<String> use = archive(archiveDir);
                labels.add("litsxg+cds");
                kinds.add(kind);
                options.add(use);
            }
        }
        double[][] millis = new double[labels.size()][runs];
        for (int run = 0; run < runs; run++) {
            for (int k = 0; k < labels.size(); k++) {
                try (BenchServer s = BenchServer.start(kinds.get(k), settings(options.get(k)))) {
                    millis[k][run] = s.launchToListeningNanos / 1e6;
                    writeCsv(labels.get(k), -1, run + 1, millis[k][run]);
                }
            }
        }
        for (int k = 0; k < labels.size(); k++) {
            double[] v = millis[k].clone();
            java.util.Arrays.sort(v);
            double med = LoadBench.median(v);
            StringBuilder ratios = new StringBuilder();
            if (kinds.get(k) == BenchServer.Kind.LITSXG) {
                for (int j = 0; j < labels.size(); j++) {
                    if (kinds.get(j) != BenchServer.Kind.LITSXG) {
                        ratios.append(String.format(", ratio to %s %.1f", labels.get(j), med / LoadBench.median(millis[j])));
                    }
                }
            }
            StringBuilder all = new StringBuilder();
            for (double m : millis[k]) {
                all.append(String.format(" %.0f", m));
            }
            System.out.printf("%-11s median %6.1f ms, min %6.1f, max %6.1f%s; runs (ms):%s%n", labels.get(k), med, v[0],
                    v[v.length - 1], ratios, all);
        }
        if (archiveDir != null) {
            BenchServer.deleteTree(archiveDir);
        }
        System.out.printf("load average after: %s%n", LoadBench.loadavg());
        return BenchMain.OK;
    }

    /** Writes a class-data archive in {@code dir} from one start that served a client; the JVM options that map it. */
    private List<String> archive(Path dir) throws IOException, InterruptedException {
        Path archive = dir.resolve("litsxg.jsa");
        List<String> dump = new ArrayList<>(servers.jvmOptions);
        dump.add("-XX:ArchiveClassesAtExit=" + archive);
        try (BenchServer s = BenchServer.start(BenchServer.Kind.LITSXG, settings(dump))) {
            s.serveOneClient("cdswarmup"); // the archive then holds a session's classes too
        }
        List<String> use = new ArrayList<>(servers.jvmOptions);
        use.add("-XX:SharedArchiveFile=" + archive);
        use.add("-Xlog:disable");
        System.out.println("litsxg+cds: JVM options " + String.join(" ", use) + " (archive " + Files.size(archive) / 1024 + " KiB)");
        return use;
    }

    /** Start-up time against stored identities (see the class comment). */
    private int identitiesCurve() throws Exception {
        Path root = Files.createTempDirectory("litsxg-identities");
        try {
            List<String> jvm = cds ? archive(root) : servers.jvmOptions;
            String label = cds ? "litsxg+cds" : "litsxg";
            for (int n : identities) {
                Path data = root.resolve("data-" + n);
                long t0 = System.nanoTime();
                long rows = prepare(data, n, jvm);
                long bytes = Files.size(data.resolve("identities.db"));
                System.out.printf("identities %d: database of %d rows, %d KiB, made in %.1f s%n", n, rows, bytes / 1024,
                        (System.nanoTime() - t0) / 1e9);
                double[] millis = new double[runs];
                for (int run = 0; run < runs; run++) {
                    try (BenchServer s = BenchServer.start(BenchServer.Kind.LITSXG, settings(jvm), data)) {
                        millis[run] = s.launchToListeningNanos / 1e6;
                        writeCsv(label, n, run + 1, millis[run]);
                    }
                }
                double[] v = millis.clone();
                java.util.Arrays.sort(v);
                System.out.printf("%s, %d identities: median %.1f ms, min %.1f, max %.1f%n", label, n, LoadBench.median(v), v[0],
                        v[v.length - 1]);
                BenchServer.deleteTree(data);
            }
        } finally {
            BenchServer.deleteTree(root);
        }
        System.out.printf("load average after: %s%n", LoadBench.loadavg());
        return BenchMain.OK;
    }

    /**
     * A data directory for the reference server holding {@code n} identities: the server creates
     * it and registers one name (so the schema and the row format are its own), then SQL replaces
     * that row by {@code n} generated ones. Returns the row count read back.
     */
    private long prepare(Path data, int n, List<String> jvm) throws IOException, InterruptedException, SQLException {
        try (BenchServer s = BenchServer.start(BenchServer.Kind.LITSXG, settings(jvm), data)) {
            s.serveOneClient("template");
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("identities.db"));
             Statement st = db.createStatement()) {
            db.setAutoCommit(false);
            st.execute("CREATE TEMP TABLE template AS SELECT * FROM identities WHERE name = 'template'");
            st.execute("DELETE FROM identities");
            st.execute("WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < " + n + ") "
                    + "INSERT INTO identities (name, algorithm, iterations, salt, hash, created_at) "
                    + "SELECT printf('id%07d', i), t.algorithm, t.iterations, randomblob(length(t.salt)), randomblob(length(t.hash)), "
                    + "t.created_at + i FROM seq, template t WHERE " + n + " > 0");
            db.commit();
            db.setAutoCommit(true);
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM identities")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void writeCsv(String target, int identities, int run, double millis) throws IOException {
        if (!csv.given()) {
            return;
        }
        String row = String.join(",", target, identities < 0 ? "" : String.valueOf(identities), String.valueOf(run),
                String.format("%.1f", millis), LoadBench.loadavg().split(" ")[0]);
        csv.append("target,identities,run,listen_ms,loadavg", row);
    }

    private BenchServer.Settings settings(List<String> jvm) {
        return new BenchServer.Settings(servers, 10_000, 1000, 30, 120).withJvmOptions(jvm);
    }
}

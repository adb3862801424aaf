package org.litsxg.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.litsxg.conformance.report.Outcome;
import org.litsxg.conformance.report.OutcomeReport;
import org.litsxg.conformance.report.ScenarioResult;
import org.litsxg.conformance.support.ClauseCatalog;

/**
 * The kit proven per clause: every planted defect of the Python build
 * ({@code builds/python/defects.tsv}, switched on by {@code LITSXG_DEFECT}) is run through the
 * runner jar, as an implementer would run it, on the scenarios of the clauses it should break
 * only; the clauses that come out FAILED must be exactly the defect's {@code breaks}, and each of
 * its {@code targets} among them. Writes {@code target/defects/catalogue.md}: every testable MUST
 * and MUST NOT clause with the defects that target it and whether they were caught, and prints
 * the total ("N of M MUST clauses proven by a planted defect").
 *
 * <p>The defects run as separate runner processes, three at a time, each with its own data
 * directories and ports, so the whole catalogue costs minutes, not one run after another.
 */
class DefectCatalogueIT {

    /**
     * Scenarios no defect marked {@code sanity} touches, run with it as a control. (Not QUEUE-1:
     * its scenarios count the queued messages behind a PING/PONG barrier, which no-pong breaks.)
     */
    static final String SANITY = "@ROUTE-3 or @AUTH-3 or @ROUTE-4";

    private static final Path TABLE = DefectiveBuildsTest.SCRIPT.resolveSibling("defects.tsv");
    private static final Path OUT = Path.of("target", "defects").toAbsolutePath();
    private static final int AT_ONCE = 3;

    /** One row of defects.tsv. */
    record Defect(String name, Set<String> targets, Set<String> breaks, String tags, Set<String> options,
            String description) {

        String tagExpression() {
            String own = tags.isBlank()
                    ? breaks.stream().map(c -> "@" + c).collect(Collectors.joining(" or ")) : tags;
            return options.contains("sanity") ? "(" + own + ") or " + SANITY : own;
        }
    }

    /** What one defect's run gave. */
    record Verdict(Defect defect, Set<String> failed, List<String> problems, String summary) {
        boolean caught(String clause) {
            return problems.isEmpty() && failed.contains(clause);
        }
    }

    static List<Defect> readTable(Path tsv) throws IOException {
        List<Defect> out = new ArrayList<>();
        int number = 0;
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            number++;
            if (line.isBlank() || line.startsWith("#") || line.startsWith("defect\t")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 6) {
                throw new IOException(tsv + " line " + number + ": expected 6 tab-separated columns, got " + f.length);
            }
            Defect d = new Defect(f[0].trim(), ids(f[1]), ids(f[2]), f[3].trim(), ids(f[4]), f[5].trim());
            if (d.targets().isEmpty() || !d.breaks().containsAll(d.targets())) {
                throw new IOException(tsv + " line " + number + ": targets must be a non-empty subset of breaks");
            }
            out.add(d);
        }
        return out;
    }

    private static Set<String> ids(String field) {
        return Arrays.stream(field.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyPlantedDefectFailsExactlyTheClausesItBreaks() throws Exception {
        assertTrue(Files.isRegularFile(DefectiveBuildsTest.SCRIPT), "the kit's Python build is missing: "
                + DefectiveBuildsTest.SCRIPT);
        List<Defect> defects = readTable(TABLE);
        Set<String> names = new TreeSet<>();
        for (Defect d : defects) {
            assertTrue(names.add(d.name()), "defect listed twice in " + TABLE + ": " + d.name());
        }
        ClauseCatalog catalog = ClauseCatalog.load(Path.of(System.getProperty("litsxg.spec.dir", "../spec"))
                .resolve("clauses.tsv"));
        for (Defect d : defects) {
            for (String c : d.breaks()) {
                assertTrue(catalog.get(c).isPresent(), d.name() + " names an unknown clause " + c);
            }
        }
        Files.createDirectories(OUT);
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(AT_ONCE);
        Map<Defect, Future<Verdict>> running = new LinkedHashMap<>();
        for (Defect d : defects) {
            running.put(d, pool.submit(() -> run(d)));
        }
        List<Verdict> verdicts = new ArrayList<>();
        for (Map.Entry<Defect, Future<Verdict>> e : running.entrySet()) {
            verdicts.add(e.getValue().get(20, TimeUnit.MINUTES));
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - started) / 1e9;

        String table = table(catalog, verdicts);
        Files.writeString(OUT.resolve("catalogue.md"), table);
        long mustTestable = mustClauses(catalog).size();
        long proven = mustClauses(catalog).stream()
                .filter(c -> verdicts.stream().anyMatch(v -> v.defect().targets().contains(c) && v.caught(c)))
                .count();
        System.out.println(table);
        System.out.printf("defect catalogue: %d defects, %d caught exactly; %d of %d MUST clauses proven by a planted"
                + " defect (%.1f s)%n", verdicts.size(), verdicts.stream().filter(v -> v.problems().isEmpty()).count(),
                proven, mustTestable, seconds);

        List<String> problems = verdicts.stream().filter(v -> !v.problems().isEmpty())
                .map(v -> v.defect().name() + ": " + String.join("; ", v.problems()) + "\n    " + v.summary())
                .toList();
        if (!problems.isEmpty()) {
            fail(problems.size() + " planted defects not caught exactly (evidence under " + OUT + "):\n  "
                    + String.join("\n  ", problems));
        }
    }

    /** The testable MUST and MUST NOT clauses. */
    static List<String> mustClauses(ClauseCatalog catalog) {
        return catalog.all().stream()
                .filter(c -> c.testable() && c.level().startsWith("must"))
                .map(ClauseCatalog.Clause::id).toList();
    }

    private static String table(ClauseCatalog catalog, List<Verdict> verdicts) {
        StringBuilder sb = new StringBuilder("| clause | level | planted defects | caught |\n|---|---|---|---|\n");
        for (String c : mustClauses(catalog)) {
            List<Verdict> targeting = verdicts.stream().filter(v -> v.defect().targets().contains(c)).toList();
            String names = targeting.stream().map(v -> v.defect().name()).collect(Collectors.joining(", "));
            long caught = targeting.stream().filter(v -> v.caught(c)).count();
            sb.append("| ").append(c).append(" | ").append(catalog.get(c).orElseThrow().level().toUpperCase())
                    .append(" | ").append(names.isEmpty() ? "(none)" : names).append(" | ")
                    .append(targeting.isEmpty() ? "no defect" : caught + "/" + targeting.size()).append(" |\n");
        }
        return sb.toString();
    }

    private static Verdict run(Defect d) throws IOException, InterruptedException {
        Path dir = OUT.resolve(d.name());
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        cmd.addAll(List.of("-jar", System.getProperty("litsxg.runner.jar"),
                "--server", DefectiveBuildsTest.template(d.name()), "--tags", d.tagExpression(),
                "--parallel", "4", "--report", dir.toString()));
        if (d.options().contains("from-correct")) {
            cmd.addAll(List.of("--previous-server", DefectiveBuildsTest.template(null)));
        }
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        List<String> problems = new ArrayList<>();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            problems.add("the runner did not finish within 10 minutes");
            return new Verdict(d, Set.of(), problems, "");
        }
        Path outcomes = dir.resolve("outcomes.json");
        if (!Files.isRegularFile(outcomes)) {
            problems.add("the runner wrote no outcomes.json (exit " + p.exitValue() + "): "
                    + Files.readString(dir.resolve("stderr.txt")).strip());
            return new Verdict(d, Set.of(), problems, "");
        }
        OutcomeReport report = OutcomeReport.read(outcomes);
        Set<String> failed = new TreeSet<>(report.ids(Outcome.FAILED));
        if (!failed.equals(d.breaks())) {
            problems.add("expected FAILED " + d.breaks() + ", got " + failed);
        }
        if (p.exitValue() != 1) {
            problems.add("the runner exited " + p.exitValue() + ", not 1 (NOT CONFORMANT)");
        }
        if (d.options().contains("sanity")) {
            List<String> broken = report.scenarios().stream()
                    .filter(s -> s.clauses().stream().anyMatch(c -> (SANITY + " ").contains("@" + c + " ")))
                    .filter(s -> s.outcome() != Outcome.OK)
                    .map(ScenarioResult::location).toList();
            if (!broken.isEmpty()) {
                problems.add("control scenarios did not pass: " + broken);
            }
        }
        Map<String, Long> outcomesCount = new TreeMap<>();
        for (ScenarioResult s : report.scenarios()) {
            outcomesCount.merge(s.outcome().name(), 1L, Long::sum);
        }
        String summary = report.summaryLine(false) + " " + outcomesCount;
        System.out.println("defect " + d.name() + ": " + summary + (problems.isEmpty() ? "" : " PROBLEM " + problems));
        return new Verdict(d, failed, problems, summary);
    }
}

package org.litsxg.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.litsxg.conformance.report.Outcome;
import org.litsxg.conformance.report.OutcomeReport;
import org.litsxg.conformance.report.ScenarioResult;

/**
 * What the kit must accept of a correct build's storage (spec 1.1, STORE-5, STORE-9): the
 * Python build in every SQLite journal mode (DELETE, TRUNCATE, PERSIST; WAL is its default, run
 * by {@link DefectiveBuildsTest}), with a lock file of another name, and with its PBKDF2
 * parameters kept as a PHC string, a passlib string, a Django string or JSON in one column, is
 * certified on the scenarios of the areas that look at files (STORE, UPG, LOG, OPS, SEC); a row
 * encoding the kit cannot read makes STORE-5 NOT RUN with the reason, never FAILED. These are
 * conformant variants of the build (LITSXG_JOURNAL_MODE, LITSXG_LOCK_NAME, LITSXG_HASH_FORMAT),
 * not defects. Each runs through the runner jar, three at a time.
 */
class StorageVariantsIT {

    private static final Path OUT = Path.of("target", "storage-variants").toAbsolutePath();
    private static final String FILE_AREAS = "STORE,UPG,LOG,OPS,SEC";
    /** The scenarios that read the rows' encoding. */
    private static final String ROW_TAGS = "@STORE-5 or @STORE-6 or @STORE-13 or @STORE-15 or @UPG-1 or @UPG-2"
            + " or @UPG-5";

    /** One variant: its environment, and the clauses (--clause) or tags (--tags) it runs. */
    record Variant(String name, String env, String clauses, String tags) {
    }

    static List<Variant> conformant() {
        return List.of(
                new Variant("journal-delete", "LITSXG_JOURNAL_MODE=delete", FILE_AREAS, null),
                new Variant("journal-truncate-lock-LOCK", "LITSXG_JOURNAL_MODE=truncate LITSXG_LOCK_NAME=LOCK",
                        FILE_AREAS, null),
                new Variant("journal-persist-lock-dot", "LITSXG_JOURNAL_MODE=persist LITSXG_LOCK_NAME=.lock",
                        FILE_AREAS, null),
                new Variant("hash-phc", "LITSXG_HASH_FORMAT=phc", null, ROW_TAGS),
                new Variant("hash-passlib", "LITSXG_HASH_FORMAT=passlib", null, ROW_TAGS),
                new Variant("hash-django", "LITSXG_HASH_FORMAT=django", null, ROW_TAGS),
                new Variant("hash-json", "LITSXG_HASH_FORMAT=json LITSXG_JOURNAL_MODE=persist", null, ROW_TAGS));
    }

    private static OutcomeReport run(Variant v) throws Exception {
        Path dir = OUT.resolve(v.name());
        Files.createDirectories(dir);
        String template = DefectiveBuildsTest.template(null).replaceFirst("^python3 ", "env " + v.env() + " python3 ");
        List<String> cmd = new ArrayList<>(List.of("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar",
                System.getProperty("litsxg.runner.jar"), "--server", template, "--parallel", "4", "--report",
                dir.toString()));
        if (v.clauses() != null) {
            cmd.addAll(List.of("--clause", v.clauses()));
        } else {
            cmd.addAll(List.of("--tags", v.tags()));
        }
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(v.name() + ": the runner did not finish within 10 minutes");
        }
        Path outcomes = dir.resolve("outcomes.json");
        assertTrue(Files.isRegularFile(outcomes), v.name() + ": no outcomes.json (exit " + p.exitValue() + "): "
                + Files.readString(dir.resolve("stderr.txt")));
        return OutcomeReport.read(outcomes);
    }

    @Test
    void everyJournalModeLockNameAndParameterEncodingIsCertified() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        Map<Variant, Future<OutcomeReport>> running = new LinkedHashMap<>();
        for (Variant v : conformant()) {
            running.put(v, pool.submit(() -> run(v)));
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<Variant, Future<OutcomeReport>> e : running.entrySet()) {
            Variant v = e.getKey();
            OutcomeReport r = e.getValue().get(15, TimeUnit.MINUTES);
            long testableNotRun = r.count(Outcome.NOT_RUN) - r.untestable();
            System.out.println("storage variant " + v.name() + " (" + v.env() + "): " + r.summaryLine(false));
            if (!r.ids(Outcome.FAILED).isEmpty() || !r.ids(Outcome.NON_STRICT).isEmpty() || testableNotRun != 0) {
                problems.add(v.name() + ": " + r.text(false));
            }
        }
        pool.shutdown();
        if (!problems.isEmpty()) {
            fail("conformant storage variants not certified:\n" + String.join("\n", problems));
        }
    }

    @Test
    void aRowEncodingTheKitCannotReadLeavesStore5NotRunNeverFailed() throws Exception {
        OutcomeReport r = run(new Variant("hash-opaque", "LITSXG_HASH_FORMAT=opaque", null,
                "@STORE-5 or @STORE-6 or @UPG-1"));
        System.out.println("storage variant hash-opaque: " + r.summaryLine(false));
        assertEquals(List.of(), r.ids(Outcome.FAILED), r.text(false));
        assertTrue(r.ids(Outcome.NOT_RUN).containsAll(List.of("STORE-5", "STORE-6")), r.text(false));
        List<ScenarioResult> store5 = r.scenarios().stream().filter(s -> s.clauses().contains("STORE-5")).toList();
        assertEquals(3, store5.size(), r.text(false));
        for (ScenarioResult s : store5) {
            assertEquals(Outcome.NOT_RUN, s.outcome(), s.location());
            assertTrue(s.message().contains("the kit cannot read how"), s.location() + ": " + s.message());
        }
    }
}

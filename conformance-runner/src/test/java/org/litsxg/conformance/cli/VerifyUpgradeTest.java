package org.litsxg.conformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.litsxg.conformance.support.KitSettings;

/**
 * {@code litsxg conformance verify-upgrade} in this JVM, against real builds: the reference
 * server against itself, and the Python alternate build with and without planted defects
 * (LITSXG_DEFECT). Each pair must get the right verdict for the right reason. The behaviour
 * diff is narrowed to a few clauses; the old build's suite run is reused between tests.
 */
class VerifyUpgradeTest {

    /** The clauses the Python pairs compare: the ones the planted defects touch, and a control. */
    private static final String PY_CLAUSES = "CMD-13,FINAL-5,UPG-2,UPG-4,UPG-5,AUTH-3";

    private static String python;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findBuilds() {
        Path script = Path.of(System.getProperty("litsxg.python.build", "src/test/resources/builds/python/litsxg.py"))
                .toAbsolutePath();
        assertTrue(Files.isRegularFile(script), "the kit's Python build is missing: " + script);
        python = "python3 '" + script + "' --bind {bind} --port {port} --data-dir {data_dir}"
                + " --max-queued {max_queued} --max-connections {max_connections} --auth-timeout {auth_timeout}"
                + " --max-pending-bytes {max_pending_bytes} --log-level {log_level}";
    }

    static String py(String defect) {
        return defect == null ? python : "env LITSXG_DEFECT=" + defect + " " + python;
    }

    record Run(int exit, String out, String err, Path report) {
        String summary() {
            return out.lines().filter(l -> l.startsWith("permitted:") || l.startsWith("NOT PERMITTED:"))
                    .findFirst().orElse("(no verdict line)\n" + out + err);
        }

        List<String> reasons() {
            return out.lines().filter(l -> l.startsWith("  - ")).map(l -> l.substring(4)).toList();
        }
    }

    private Run verify(String from, String to, String... more) throws Exception {
        Path report = tmp.resolve("report");
        List<String> args = new ArrayList<>(List.of("verify-upgrade", "--from", from, "--to", to,
                "--parallel", "2", "--report", report.toString()));
        args.addAll(List.of(more));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ConformanceCommand.execute(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Run r = new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), report);
        System.out.println(r.summary());
        return r;
    }

    @Test
    void theReferenceAgainstItselfIsPermittedAndEveryScenarioUnchanged() throws Exception {
        String jar = System.getProperty(KitSettings.REFERENCE_JAR);
        assertTrue(jar != null && Files.isRegularFile(Path.of(jar)), "the reference jar is missing: " + jar
                + " (mvn -DskipTests package builds it; the pom passes its path as litsxg.reference.jar)");
        String ref = KitSettings.referenceTemplate(jar);
        Run r = verify(ref, ref, "--clause", "CMD-13,CMD-1,UPG,AUTH-3");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.summary().startsWith("permitted: "), r.summary());
        // The proof of the normalisation: two runs of one build differ in nothing.
        assertTrue(r.summary().matches("permitted: (\\d+) scenarios compared, \\1 unchanged, 0 fixed, 0 regressed, 0 drift, 0 extension; "
                + "upgrade in place preserves identities, no migration .*"), r.summary());
        assertTrue(r.out().contains("ok      every identity authenticates with its secret (4)"), r.out());
        assertTrue(r.out().contains("serves 4/4 identities"), r.out());
        assertEquals(List.of(), r.reasons());
        for (String f : List.of("report.html", "index.json", "from/outcomes.json", "from/transcripts.json",
                "to/outcomes.json", "to/transcripts.json", "to/junit.xml")) {
            assertTrue(Files.size(r.report().resolve(f)) > 0, f);
        }
        String index = Files.readString(r.report().resolve("index.json"));
        assertTrue(index.contains("\"verdict\": \"permitted\"") || index.contains("\"verdict\":\"permitted\""), index);
        assertTrue(index.contains(Path.of(jar).toRealPath().toString()), "the jar and its sha256 are named: " + index);
        String html = Files.readString(r.report().resolve("report.html"));
        assertTrue(html.contains("id=\"identities\"") && html.contains("id=\"diff\""), "report page");
        // Transcripts of passing scenarios were kept (the opt-in setting), or nothing was compared.
        assertTrue(Files.readString(r.report().resolve("from/transcripts.json")).contains("PONG"));
    }

    @Test
    void aBuildThatMigratesTheSchemaIsNotPermitted() throws Exception {
        Run r = verify(py(null), py("migrate-schema"), "--clause", PY_CLAUSES);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.summary().startsWith("NOT PERMITTED: ") && r.summary().contains("migration"), r.summary());
        assertTrue(r.reasons().stream().anyMatch(x -> x.startsWith("migration: ") && x.contains("user_version 1 -> 2")),
                r.reasons().toString());
        assertTrue(r.reasons().stream().anyMatch(x -> x.startsWith("migration: ") && x.contains("schema changed")),
                r.reasons().toString());
    }

    @Test
    void aBuildThatAddsACommandIsNotPermitted() throws Exception {
        Run r = verify(py(null), py("add-command"), "--clause", PY_CLAUSES);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.summary().contains("[") && r.summary().contains("extension"), r.summary());
        assertTrue(r.reasons().stream().anyMatch(x -> x.startsWith("extension: ") && x.contains("command WHO")),
                r.reasons().toString());
        assertFalse(r.reasons().stream().anyMatch(x -> x.startsWith("migration") || x.startsWith("lost identities")),
                r.reasons().toString());
    }

    @Test
    void aBuildThatForgetsIdentitiesIsNotPermitted() throws Exception {
        Run r = verify(py(null), py("forget-identities"), "--clause", PY_CLAUSES);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.reasons().stream().anyMatch(x -> x.startsWith("lost identities: ")
                && x.contains("alice with its secret got \"OK registered\"")), r.reasons().toString());
        assertFalse(r.reasons().stream().anyMatch(x -> x.startsWith("migration")), r.reasons().toString());
    }

    @Test
    void aBuildThatRegressesAClauseIsNotPermitted() throws Exception {
        Run r = verify(py(null), py("no-pong"), "--clause", PY_CLAUSES);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.reasons().stream().anyMatch(x -> x.startsWith("regression: CMD-13 ")), r.reasons().toString());
        assertTrue(r.out().contains("ok      no migration"), r.out());
    }

    @Test
    void aBuildThatFixesAPlantedDefectIsPermittedAndReportedAsAFix() throws Exception {
        Run r = verify(py("no-pong"), py(null), "--clause", PY_CLAUSES);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.summary().startsWith("permitted: "), r.summary());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+FIXED\\s+CMD-13\\s.*FAILED -> OK \\(confirmed by a re-run of both builds\\)")), r.out());
        assertTrue(r.summary().matches(".* 0 regressed, \\d+ drift, 0 extension;.*"), r.summary());
    }

    @Test
    void aBuildThatCannotStartIsExit2WithOneLine() throws Exception {
        Run r = verify(py(null), "python3 /nonexistent/litsxg.py --port {port} --data-dir {data_dir}");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("litsxg conformance verify-upgrade: the --to build cannot be started: "), r.err());
    }

    @Test
    void badUsageIsExit2WithOneLine() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ConformanceCommand.execute(new String[] {"verify-upgrade", "--from", python},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, exit);
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("litsxg conformance: ") && e.contains("--to"), e);
    }
}

package org.litsxg.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.litsxg.conformance.launch.KitLauncher;
import org.litsxg.conformance.report.Outcome;
import org.litsxg.conformance.report.OutcomeReport;
import org.litsxg.conformance.support.KitSettings;

/**
 * Shows that the kit tells a conformant build from a broken one. The Python alternate build
 * (src/test/resources/builds/python/litsxg.py) is run through the kit as an unseen build:
 * correct, it must come out conformant on the whole suite. Its planted defects (LITSXG_DEFECT)
 * are run per clause by {@link DefectCatalogueIT}.
 */
public class DefectiveBuildsTest {

    /** The kit's Python build (a test resource; the pom passes its path). */
    static final Path SCRIPT = Path.of(System.getProperty("litsxg.python.build",
            "src/test/resources/builds/python/litsxg.py")).toAbsolutePath();

    @BeforeAll
    static void findBuild() {
        assertTrue(Files.isRegularFile(SCRIPT), "the kit's Python build is missing: " + SCRIPT);
    }

    /** The command template of the Python build, with {@code defect} switched on (or none). */
    public static String template(String defect) {
        String flags = "--bind {bind} --port {port} --data-dir {data_dir} --max-queued {max_queued}"
                + " --max-connections {max_connections} --auth-timeout {auth_timeout}"
                + " --max-pending-bytes {max_pending_bytes} --log-level {log_level}"
                // A lower key-derivation cost than the default 100000, as for the reference
                // (KitSettings): SEC-2 registers two thousand names. Not 1000, so that STORE-6's
                // row rewritten with 1000 iterations still differs from what the build writes.
                + " --pbkdf2-iterations 2000";
        String py = "python3 '" + SCRIPT + "' " + flags;
        return defect == null ? py : "env LITSXG_DEFECT=" + defect + " " + py;
    }

    private static OutcomeReport run(String name, String template, String tags, String previous)
            throws IOException {
        // The Python build is light on CPU, so four scenarios at a time.
        Path dir = Path.of("target", "conformance", "python", name);
        // The messages keep each failed scenario's evidence (server output, wire transcripts)
        // for whoever reads a red build.
        // The test's entry point: -Dlitsxg.timescale and the other kit settings given to mvn apply.
        KitSettings settings = KitSettings.from(key -> key.equals(KitSettings.SERVER) ? Optional.of(template)
                : Optional.ofNullable(System.getProperty(key)).filter(v -> !v.isBlank()));
        KitLauncher.Run run = KitLauncher.Run.of(settings, dir)
                .withTags(tags).withParallelism(4)
                .withPlugins(List.of("message:" + dir.resolve("messages.ndjson")));
        if (previous != null) {
            run = run.withSettings(s -> s.withPreviousServer(previous));
        }
        return KitLauncher.run(run).report();
    }

    @Test
    void theCorrectPythonBuildIsConformant() throws IOException {
        OutcomeReport report = run("correct", template(null), null, null);
        System.out.println("python build: " + report.summaryLine(false));
        assertEquals(List.of(), report.ids(Outcome.FAILED), report.text(false));
        assertEquals(List.of(), report.ids(Outcome.NON_STRICT), report.text(false));
        long testableNotRun = report.count(Outcome.NOT_RUN) - report.untestable();
        assertEquals(0, testableNotRun, report.text(false));
        assertTrue(report.unselected().isEmpty(), "clauses with no scenario: " + report.unselected());
        assertEquals("conformant", report.verdict(true).label(), report.text(true));
    }

    /**
     * A server that dies during a scenario: the failure says that it is no longer running, with
     * its exit status and last stderr line, not only that a connection was closed.
     */
    @Test
    void aServerThatDiesIsNamedInTheFailure() throws IOException {
        OutcomeReport report = run("defect-crash", template("crash-on-third-registration"), "@AUTH-13", null);
        String text = report.text(false);
        assertEquals(List.of("AUTH-13"), report.ids(Outcome.FAILED), text);
        assertTrue(text.contains("(the server ended on its own: exit status 1; its last stderr lines: "), text);
        String message = report.scenarios().get(0).message();
        assertTrue(message.contains("planted defect: crash on the third registration"), message);
    }
}

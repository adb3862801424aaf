package org.litsxg.conformance.explore;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Exploration alone finds the Python build's planted defects: for every defect in the build's
 * list ({@code KNOWN_DEFECTS} and each {@code KNOWN_DEFECTS |= {...}} line, so defects added later
 * are picked up without editing this test), the explorer runs against the build with that defect
 * for at most {@link #BUDGET_SECONDS} seconds from a fixed seed. A defect the explorer's actions
 * can reach must be found; one they cannot reach is NOT RUN with its reason; one not yet
 * classified here is run (with {@code -Dlitsxg.explore.all=true} only) and its result recorded,
 * never asserted. Every result goes into
 * {@code target/explore/defects.md}: the "found by explore" column of the defect table.
 */
class ExploreDefectsTest {

    static final int BUDGET_SECONDS = 60;
    static final long SEED = 1L;

    /** Defects the explorer's actions reach: wire behaviour, restarts, exit status, the data directory after a stop. */
    static final Set<String> REACHABLE = Set.of("no-pong", "greeting", "extension-version", "add-command", "no-line-limit",
            "bad-encoding-closes", "no-session-replace", "queue-unbounded", "msg-reorder", "queue-survives-restart",
            "forget-identities", "clear-secret", "log-file", "exit-nonzero-on-term", "crash-on-third-registration");

    /** Defects no action of the explorer can show, with the reason. */
    static final Map<String, String> UNREACHABLE = Map.of(
            "migrate-schema", "shows only when a build upgrades a database another build created; the explorer runs one build");

    private static final Map<String, String> RESULTS = new ConcurrentSkipListMap<>();

    @TestFactory
    Stream<DynamicTest> everyReachablePlantedDefectIsFoundByExplorationAlone() throws IOException {
        assertTrue(Files.isRegularFile(ExploreBuilds.pythonBuild()), "the kit's Python build is missing: "
                + ExploreBuilds.pythonBuild());
        // The default run explores the classified defects (a few minutes); -Dlitsxg.explore.all=true
        // explores every defect of the build (the catalogue's "found by explore" column; about as
        // many minutes as there are defects not found).
        Set<String> known = ExploreBuilds.knownDefects();
        Stream<String> defects = Boolean.getBoolean("litsxg.explore.all") ? known.stream()
                : known.stream().filter(d -> REACHABLE.contains(d) || UNREACHABLE.containsKey(d));
        return defects.map(d -> DynamicTest.dynamicTest(d, () -> {
            if (UNREACHABLE.containsKey(d)) {
                RESULTS.put(d, "not reachable: " + UNREACHABLE.get(d));
                Assumptions.abort("NOT RUN: " + UNREACHABLE.get(d));
            }
            Explorer.Settings s = ExploreBuilds.settings(ExploreBuilds.python(d));
            long t0 = System.nanoTime();
            Exploration.Result r = Exploration.explore(s, SEED, BUDGET_SECONDS, 0, null);
            double took = (System.nanoTime() - t0) / 1e9;
            String cell = r.divergence() == null ? "not found in " + BUDGET_SECONDS + " s"
                    : String.format(java.util.Locale.ROOT, "found after %d actions, %.0f s: %s", r.run().failedAt() + 1,
                            r.run().seconds(), String.join(" ", r.divergence().clauses()));
            RESULTS.put(d, cell);
            System.out.printf("explore defect %s: %s (%.0f s with the confirming replay)%n", d, cell, took);
            if (!REACHABLE.contains(d)) {
                Assumptions.assumeTrue(r.divergence() != null, "not classified for explore yet, and not found in "
                        + BUDGET_SECONDS + " s");
                return;
            }
            assertNotNull(r.divergence(), "LITSXG_DEFECT=" + d + " was not found by " + BUDGET_SECONDS + " s of exploration");
            assertTrue(r.confirmed(), "the divergence was not confirmed by a replay: " + r.divergence().text());
        }));
    }

    @AfterAll
    static void writeTable() throws IOException {
        if (RESULTS.isEmpty()) {
            return;
        }
        StringBuilder t = new StringBuilder("| defect | found by explore (seed " + SEED + ", at most " + BUDGET_SECONDS
                + " s) |\n|---|---|\n");
        RESULTS.forEach((k, v) -> t.append("| `").append(k).append("` | ").append(v).append(" |\n"));
        Path out = Path.of("target", "explore", "defects.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, t.toString());
        System.out.print(t);
    }
}

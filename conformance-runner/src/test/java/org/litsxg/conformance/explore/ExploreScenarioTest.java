package org.litsxg.conformance.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.litsxg.conformance.launch.KitLauncher;
import org.litsxg.conformance.report.Outcome;
import org.litsxg.conformance.report.OutcomeReport;

/**
 * The scenario explore prints is real: exploring the Python build with a planted defect finds a
 * divergence, shrinks it to a few clients and actions, and the printed scenario, written into a
 * feature and run through the kit, fails on that build and passes on the reference server.
 */
class ExploreScenarioTest {

    static final String DEFECT = "queue-unbounded";
    static final int CLIENTS = 3;
    static final long SEED = 1L;

    /**
     * Runs one feature text through the kit against {@code template}. The feature goes on the
     * class path (a directory added through the context class loader) rather than being selected
     * as a file: the kit's Cucumber (7.30) needs a newer JUnit Platform than the kit's (1.13)
     * to run a feature selected by file.
     */
    static OutcomeReport runFeature(String template, String feature, Path dir) throws Exception {
        Path root = dir.resolve("classpath");
        Files.createDirectories(root.resolve("explorefeatures"));
        Files.writeString(root.resolve("explorefeatures/found.feature"), feature);
        ClassLoader old = Thread.currentThread().getContextClassLoader();
        try (java.net.URLClassLoader cl = new java.net.URLClassLoader(new java.net.URL[] {root.toUri().toURL()}, old)) {
            Thread.currentThread().setContextClassLoader(cl);
            return KitLauncher.run(KitLauncher.Run.of(template, dir).withFeatures(List.of("explorefeatures/found.feature"))
                    .withParallelism(1)).report();
        } finally {
            Thread.currentThread().setContextClassLoader(old);
        }
    }

    @Test
    void theShrunkScenarioFailsOnTheDefectiveBuildAndPassesOnTheReference(@TempDir Path tmp) throws Exception {
        assertTrue(Files.isRegularFile(ExploreBuilds.pythonBuild()), "no Python build");
        assertTrue(Files.isRegularFile(ExploreBuilds.referenceJar()), "no reference jar");
        Explorer.Settings settings = ExploreCommand.settings(org.litsxg.conformance.support.CommandTemplate.parse(
                ExploreBuilds.python(DEFECT)), CLIENTS, 3, CLIENTS - 1, 2, 65536, 1.0, true);
        Exploration.Result r = Exploration.explore(settings, SEED, 60, 120, null);
        assertNotNull(r.divergence(), "LITSXG_DEFECT=" + DEFECT + " not found");
        assertTrue(r.confirmed(), "not confirmed by a replay");
        System.out.println("shrunk in " + r.shrinkTries() + " replays to:\n" + r.gherkin());
        Explorer.Outcome shrunk = r.shrunk();
        long applied = shrunk.applied().stream().filter(b -> b).count();
        assertTrue(applied <= 12, "shrunk to " + applied + " actions:\n" + r.gherkin());
        assertTrue(shrunk.connections() <= 3, "shrunk to " + shrunk.connections() + " connections:\n" + r.gherkin());
        assertFalse(r.gherkin().contains("# not expressible"), r.gherkin());

        String feature = GherkinWriter.feature(r.gherkin());
        OutcomeReport onDefect = runFeature(ExploreBuilds.python(DEFECT), feature, tmp.resolve("defect"));
        assertEquals(1, onDefect.scenarios().size(), onDefect.text(false));
        assertEquals(Outcome.FAILED, onDefect.scenarios().get(0).outcome(), "on the defective build:\n" + onDefect.text(false));
        OutcomeReport onReference = runFeature(ExploreBuilds.reference(), feature, tmp.resolve("reference"));
        assertEquals(1, onReference.scenarios().size(), onReference.text(false));
        assertEquals(Outcome.OK, onReference.scenarios().get(0).outcome(), "on the reference:\n" + onReference.text(false));
    }
}

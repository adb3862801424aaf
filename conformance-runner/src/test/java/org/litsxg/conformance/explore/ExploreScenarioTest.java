package org.litsxg.conformance.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.litsxg.conformance.launch.KitLauncher;
import org.litsxg.conformance.report.Outcome;
import org.litsxg.conformance.report.OutcomeReport;

/**
 * The scenario explore prints is real: exploring the Python build with a planted defect finds a
 * divergence, shrinks it to a few clients and actions, and the printed scenario, written into a
 * feature file and run through the kit, fails on that build and passes on the reference server.
 */
class ExploreScenarioTest {

    static final String DEFECT = "queue-unbounded";
    static final long SEED = 1L;

    @Test
    void theShrunkScenarioFailsOnTheDefectiveBuildAndPassesOnTheReference(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(ExploreBuilds.pythonBuild()), "no Python build");
        Assumptions.assumeTrue(Files.isRegularFile(ExploreBuilds.referenceJar()), "no reference jar");
        Exploration.Result r = Exploration.explore(ExploreBuilds.settings(ExploreBuilds.python(DEFECT)), SEED, 60, 90, null);
        assertNotNull(r.divergence(), "LITSXG_DEFECT=" + DEFECT + " not found");
        assertTrue(r.confirmed(), "not confirmed by a replay");
        System.out.println("shrunk in " + r.shrinkTries() + " replays to:\n" + r.gherkin());
        Explorer.Outcome shrunk = r.shrunk();
        long applied = shrunk.applied().stream().filter(b -> b).count();
        assertTrue(applied <= 12, "shrunk to " + applied + " actions:\n" + r.gherkin());
        assertTrue(shrunk.connections() <= 3, "shrunk to " + shrunk.connections() + " connections:\n" + r.gherkin());
        assertFalse(r.gherkin().contains("# not expressible"), r.gherkin());

        Path feature = tmp.resolve("explore.feature");
        Files.writeString(feature, GherkinWriter.feature(r.gherkin()));
        OutcomeReport onDefect = KitLauncher.run(KitLauncher.Run.of(ExploreBuilds.python(DEFECT), tmp.resolve("defect"))
                .withFeatures(List.of("file:" + feature)).withParallelism(1)).report();
        assertEquals(1, onDefect.scenarios().size(), onDefect.text(false));
        assertEquals(Outcome.FAILED, onDefect.scenarios().get(0).outcome(), "on the defective build:\n" + onDefect.text(false));
        OutcomeReport onReference = KitLauncher.run(KitLauncher.Run.of(ExploreBuilds.reference(), tmp.resolve("reference"))
                .withFeatures(List.of("file:" + feature)).withParallelism(1)).report();
        assertEquals(1, onReference.scenarios().size(), onReference.text(false));
        assertEquals(Outcome.OK, onReference.scenarios().get(0).outcome(), "on the reference:\n" + onReference.text(false));
    }
}

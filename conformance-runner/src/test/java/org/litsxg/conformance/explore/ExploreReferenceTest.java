package org.litsxg.conformance.explore;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The model agrees with the reference server: a fixed-seed exploration of 20 s (four clients,
 * restarts included) finds no divergence, and it exercised the spec widely enough to mean
 * something (each of the outcomes below was seen and accepted at least once).
 */
class ExploreReferenceTest {

    static final long SEED = 20261203L;

    @Test
    void theModelAgreesWithTheReferenceServerOverAFixedSeedRun() throws Exception {
        assertTrue(Files.isRegularFile(ExploreBuilds.referenceJar()), "no reference jar at "
                + ExploreBuilds.referenceJar() + " (mvn -pl src package)");
        Explorer.Settings s = ExploreBuilds.settings(ExploreBuilds.reference());
        Exploration.Result r = Exploration.explore(s, SEED, 20, 0, System.out::println);
        Explorer.Outcome run = r.run();
        System.out.printf("explore reference, seed %d: %d actions, %d connections, %d restarts in %.1f s; observed %s%n",
                SEED, run.executed(), run.connections(), run.restarts(), run.seconds(), run.observed());
        assertNull(r.divergence(), () -> "the reference server diverged from the model:\n" + r.divergence().text()
                + "\n" + r.gherkin() + "\n" + String.join("\n", r.shrunk().log()));
        assertTrue(run.executed() > 150, "too few actions: " + run.executed());
        Map<String, Integer> seen = run.observed();
        for (String o : List.of("OK registered", "OK authenticated", "OK delivered", "OK queued", "ERR queue-full", "MSG",
                "PONG", "OK bye", "ERR auth-failed", "ERR already-authenticated", "ERR bad-encoding", "ERR line-too-long",
                "ERR syntax", "ERR unknown-command", "ERR not-authenticated", "ERR session-replaced", "close")) {
            assertTrue(seen.getOrDefault(o, 0) > 0, "the run never saw " + o + ": " + seen);
        }
        assertTrue(run.restarts() > 0, "no restart in the run");
    }
}

package org.litsxg.conformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.litsxg.conformance.report.Json;

/** {@code litsxg conformance explore} as a process: exit statuses, the printed finding, the report. */
class ExploreCliIT {

    private static String python(String defect) {
        String py = "python3 '" + Path.of(System.getProperty("litsxg.python.build")).toAbsolutePath() + "' --bind {bind}"
                + " --port {port} --data-dir {data_dir} --max-queued {max_queued} --max-connections {max_connections}"
                + " --auth-timeout {auth_timeout} --max-pending-bytes {max_pending_bytes} --pbkdf2-iterations 2000";
        return "env LITSXG_DEFECT=" + defect + " " + py;
    }

    @Test
    void aDivergenceIsExit1WithSeedClausesScenarioAndReport(@TempDir Path tmp) throws Exception {
        Path report = tmp.resolve("report");
        RunnerJar.Run r = RunnerJar.run(tmp, "explore", "--server", python("no-pong"), "--seconds", "30", "--seed", "1",
                "--shrink-seconds", "20", "--report", report.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("  seed:     1 "), r.out());
        assertTrue(r.out().contains("  clauses:  CMD-13"), r.out());
        assertTrue(r.out().contains("    Then c1 receives \"PONG\""), r.out());
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> json = (java.util.Map<String, Object>) Json.read(Files.readString(report.resolve("explore.json")));
        assertEquals(java.util.List.of("CMD-13"), ((java.util.Map<?, ?>) json.get("divergence")).get("clauses"));
        String html = Files.readString(report.resolve("explore.html"));
        assertTrue(html.contains("id=\"gherkin\"") && html.contains("id=\"transcript\""), html);
    }

    @Test
    void badUsageIsExit2WithOneLine(@TempDir Path tmp) throws Exception {
        RunnerJar.Run r = RunnerJar.run(tmp, "explore", "--clients", "0");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        RunnerJar.Run noPort = RunnerJar.run(tmp, "explore", "--server", "python3 x.py --data-dir {data_dir}");
        assertEquals(2, noPort.exit());
        assertTrue(noPort.err().contains("{port}"), noPort.err());
    }
}

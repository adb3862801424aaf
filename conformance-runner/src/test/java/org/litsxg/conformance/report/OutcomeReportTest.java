package org.litsxg.conformance.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.litsxg.conformance.support.ClauseCatalog;

class OutcomeReportTest {

    private static ClauseCatalog catalog() throws IOException {
        return ClauseCatalog.read(new StringReader("""
                id\tlevel\tarea\tsummary\tsource\tuntestable
                A-1\tMUST\tA\tmust thing\ts\t
                A-2\tSHOULD\tA\tshould thing\ts\t
                A-3\tMAY\tA\tmay thing\ts\t
                A-4\tMUST\tA\toperator duty\ts\tno observable behaviour
                A-5\tMUST NOT\tA\tmust not thing\ts\t
                """));
    }

    private static ScenarioResult scenario(String status, String message, String... tags) throws IOException {
        return ScenarioResult.of("s", "features/a.feature:1", List.of(tags), status, message, List.of(), catalog());
    }

    @Test
    void mapsLevelsAndStatusesToOutcomes() throws IOException {
        assertEquals(Outcome.FAILED, scenario("FAILED", "x", "@A-1", "@must").outcome());
        assertEquals(Outcome.NON_STRICT, scenario("FAILED", "x", "@A-2", "@should").outcome());
        assertEquals(Outcome.INFORMATIONAL, scenario("PASSED", null, "@A-3", "@may").outcome());
        assertEquals(Outcome.OK, scenario("PASSED", null, "@A-1", "@must").outcome());
        assertEquals(Outcome.NOT_RUN, scenario("SKIPPED", "UNIMPLEMENTED: no {x}", "@A-1", "@must").outcome());
        assertEquals(Outcome.NOT_RUN, scenario("UNDEFINED", null, "@A-1", "@must").outcome());
        assertEquals(Outcome.FAILED, scenario("FAILED", "x", "@A-5").outcome(), "level from the catalogue");
    }

    @Test
    void aClauseIsAsBadAsItsWorstScenarioAndGapsAreNeverPassed(@TempDir Path dir) throws IOException {
        OutcomeReport r = OutcomeReport.of("build", List.of(
                scenario("PASSED", null, "@A-1", "@must"),
                scenario("FAILED", "Expected: y\nActual: z", "@A-1", "@must"),
                scenario("FAILED", "x", "@A-2", "@should"),
                scenario("PASSED", null, "@A-3", "@may"),
                scenario("SKIPPED", "UNIMPLEMENTED: no {x}", "@A-5", "@must")), catalog());
        assertEquals(Outcome.FAILED, r.clause("A-1").orElseThrow().outcome());
        assertEquals(Outcome.NON_STRICT, r.clause("A-2").orElseThrow().outcome());
        assertEquals(Outcome.INFORMATIONAL, r.clause("A-3").orElseThrow().outcome());
        assertEquals(Outcome.NOT_RUN, r.clause("A-4").orElseThrow().outcome());
        assertEquals(Outcome.NOT_RUN, r.clause("A-5").orElseThrow().outcome());
        assertEquals("NOT CONFORMANT: 1/5 clauses passed [1 failed, 1 non-strict, 2 not run (1 untestable),"
                + " 1 informational]", r.summaryLine(false));
        r.write(dir.resolve("outcomes.json"), false);
        OutcomeReport back = OutcomeReport.read(dir.resolve("outcomes.json"));
        assertEquals(r.summaryLine(false), back.summaryLine(false));
        assertEquals(r.scenarios(), back.scenarios());
    }

    /** Operator duties and release obligations are listed but counted apart; withdrawn clauses not at all. */
    @Test
    void operatorAndReleaseClausesAreCountedApartFromTheBuildsClauses(@TempDir Path dir) throws IOException {
        ClauseCatalog c = ClauseCatalog.read(new StringReader("""
                id\tlevel\tarea\tsummary\tsource\tuntestable\tbinds
                B-1\tMUST\tB\tmust thing\ts\t\tserver
                B-2\tMUST\tB\tfault injection\ts\tneeds fault injection\tserver
                B-3\tMUST\tB\tduty\ts\toperator duty\toperator
                B-4\tMUST\tB\tduty 2\ts\toperator duty\toperator
                B-5\tMUST NOT\tB\tno extension\ts\tchecked by `litsxg conformance verify-upgrade`\trelease
                B-6\tMUST\tB\tfinal\ts\trelease policy\trelease
                B-7\tWITHDRAWN\tB\twithdrawn\ts\treplaced by B-1\tserver
                """));
        OutcomeReport r = OutcomeReport.of("build", List.of(ScenarioResult.of("s", "features/b.feature:1",
                List.of("@B-1", "@must"), "PASSED", null, List.of(), c)), c);
        assertEquals("conformant: 1/2 clauses passed [0 failed, 0 non-strict, 1 not run (1 untestable),"
                + " 0 informational]; not for a build: 2 operator duties, 2 release obligations"
                + " (B-5 checked by verify-upgrade)", r.summaryLine(false));
        assertEquals("conformant", r.verdict(true), "operator and release clauses never make a build incomplete");
        assertTrue(r.clause("B-7").isEmpty(), "a withdrawn clause is not reported");
        assertEquals(List.of("B-3", "B-4"), r.obligations(ClauseCatalog.OPERATOR).stream()
                .map(OutcomeReport.ClauseResult::id).toList());
        r.write(dir.resolve("outcomes.json"), false);
        OutcomeReport back = OutcomeReport.read(dir.resolve("outcomes.json"));
        assertEquals(r.summaryLine(false), back.summaryLine(false));
        assertTrue(java.nio.file.Files.readString(dir.resolve("outcomes.json")).contains("\"spec_version\""));
    }

    @Test
    void strictModeFailsOnNonStrictAndNotRun() throws IOException {
        OutcomeReport r = OutcomeReport.of("build", List.of(
                scenario("PASSED", null, "@A-1", "@must"),
                scenario("FAILED", "x", "@A-2", "@should"),
                scenario("PASSED", null, "@A-3", "@may"),
                scenario("PASSED", null, "@A-5", "@must")), catalog());
        assertEquals("conformant", r.verdict(false));
        assertEquals("NOT CONFORMANT", r.verdict(true));
        assertTrue(r.text(false).contains("NON-STRICT"));
    }
}

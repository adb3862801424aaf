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
import org.litsxg.conformance.support.Unimplemented;

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

    /** A scenario whose step threw {@code error}, as Cucumber reports it. */
    private static ScenarioResult threw(String status, Throwable error, String... tags) throws IOException {
        return ScenarioResult.of("s", "features/a.feature:1", List.of(tags), status, error, List.of(), catalog());
    }

    @Test
    void mapsLevelsAndStatusesToOutcomes() throws IOException {
        assertEquals(Outcome.FAILED, scenario("FAILED", "x", "@A-1", "@must").outcome());
        assertEquals(Outcome.NON_STRICT, scenario("FAILED", "x", "@A-2", "@should").outcome());
        assertEquals(Outcome.INFORMATIONAL, scenario("PASSED", null, "@A-3", "@may").outcome());
        assertEquals(Outcome.OK, scenario("PASSED", null, "@A-1", "@must").outcome());
        ScenarioResult unimplemented = threw("SKIPPED", new Unimplemented("no {x}"), "@A-1", "@must");
        assertEquals(Outcome.NOT_RUN, unimplemented.outcome());
        assertEquals(NotRun.UNIMPLEMENTED, unimplemented.notRun(), "decided by the error's type");
        assertEquals("UNIMPLEMENTED: no {x}", unimplemented.message());
        assertEquals(NotRun.UNIMPLEMENTED, threw("SKIPPED", new IllegalStateException("wrapped",
                new Unimplemented("no {x}")), "@A-1", "@must").notRun(), "also as the cause of another error");
        assertEquals(NotRun.SKIPPED, threw("SKIPPED", new org.opentest4j.TestAbortedException(
                "UNIMPLEMENTED: only the text"), "@A-1", "@must").notRun(), "never decided by the text");
        assertEquals(NotRun.UNDEFINED, scenario("UNDEFINED", null, "@A-1", "@must").notRun());
        assertEquals(NotRun.PENDING, scenario("PENDING", null, "@A-1", "@must").notRun());
        assertEquals(null, scenario("PASSED", null, "@A-1", "@must").notRun());
        assertEquals(Outcome.FAILED, scenario("FAILED", "x", "@A-5").outcome(), "level from the catalogue");
    }

    @Test
    void aClauseIsAsBadAsItsWorstScenarioAndGapsAreNeverPassed(@TempDir Path dir) throws IOException {
        OutcomeReport r = OutcomeReport.of("build", List.of(
                scenario("PASSED", null, "@A-1", "@must"),
                scenario("FAILED", "Expected: y\nActual: z", "@A-1", "@must"),
                scenario("FAILED", "x", "@A-2", "@should"),
                scenario("PASSED", null, "@A-3", "@may"),
                threw("SKIPPED", new Unimplemented("no {x}"), "@A-5", "@must")), catalog());
        assertEquals(Outcome.FAILED, r.clause("A-1").orElseThrow().outcome());
        assertEquals(Outcome.NON_STRICT, r.clause("A-2").orElseThrow().outcome());
        assertEquals(Outcome.INFORMATIONAL, r.clause("A-3").orElseThrow().outcome());
        assertEquals(Outcome.NOT_RUN, r.clause("A-4").orElseThrow().outcome());
        assertEquals(Outcome.NOT_RUN, r.clause("A-5").orElseThrow().outcome());
        assertEquals(NotRun.UNTESTABLE, r.clause("A-4").orElseThrow().notRun());
        assertEquals(NotRun.UNIMPLEMENTED, r.clause("A-5").orElseThrow().notRun());
        assertEquals("NOT CONFORMANT: 1/5 clauses, 1 failed, 1 non-strict, 2 not run (1 untestable by the spec),"
                + " 1 informational [failed: A-1] (spec " + ClauseCatalog.version() + ")", r.summaryLine(false));
        r.write(dir.resolve("outcomes.json"), false);
        OutcomeReport back = OutcomeReport.read(dir.resolve("outcomes.json"));
        assertEquals(r.summaryLine(false), back.summaryLine(false));
        assertEquals(r.scenarios(), back.scenarios());
        assertEquals(r.clauses(), back.clauses(), "typed not-run reasons survive outcomes.json");
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
                List.of("@B-1", "@must"), "PASSED", (Throwable) null, List.of(), c)), c);
        assertEquals("conformant: 1/2 clauses, 0 failed, 1 not run (1 untestable by the spec);"
                + " not for a build: 2 operator duties, 2 release obligations"
                + " (B-5 checked by verify-upgrade) (spec " + ClauseCatalog.version() + ")", r.summaryLine(false));
        assertTrue(r.verdict(true).conformant(), "operator and release clauses never fail a build, even strictly");
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
        assertEquals("conformant", r.verdict(false).label());
        assertEquals("NOT CONFORMANT", r.verdict(true).label());
        assertEquals(List.of("A-2"), r.verdict(true).newFailures());
        assertTrue(r.text(false).contains("NON-STRICT"));
    }

    /** The one verdict: a testable clause not run fails only a strict run or one that fails on a skip. */
    @Test
    void aTestableClauseNotRunFailsOnlyWhenThePolicySaysSo() throws IOException {
        OutcomeReport r = OutcomeReport.of("build", List.of(
                scenario("PASSED", null, "@A-1", "@must"),
                threw("SKIPPED", new Unimplemented("no {x}"), "@A-5", "@must")), catalog());
        assertTrue(Verdict.of(r, Verdict.Policy.DEFAULT).conformant());
        assertEquals(List.of("A-5"), Verdict.of(r, new Verdict.Policy(false, true)).missing());
        assertEquals(List.of("A-5"), Verdict.of(r, new Verdict.Policy(true, false)).missing());
        assertTrue(Verdict.of(r, Verdict.Policy.DEFAULT).summaryLine(12.34).endsWith(
                " (12.3 s; spec " + ClauseCatalog.version() + ")"));
    }

    /** A baseline: a listed failure does not fail the run; a listed clause that passes does (stale). */
    @Test
    void aBaselineExpectsFailuresAndAStaleEntryFails() throws IOException {
        OutcomeReport r = OutcomeReport.of("build", List.of(
                scenario("FAILED", "x", "@A-1", "@must"),
                scenario("PASSED", null, "@A-5", "@must")), catalog());
        Verdict expected = Verdict.of(r, Verdict.Policy.DEFAULT, java.util.Set.of("A-1"));
        assertTrue(expected.conformant());
        assertEquals(List.of("A-1"), expected.expectedFailures());
        Verdict stale = Verdict.of(r, Verdict.Policy.DEFAULT, java.util.Set.of("A-1", "A-5"));
        assertEquals(List.of("A-5"), stale.stale());
        assertEquals("NOT CONFORMANT", stale.label());
    }
}

package org.litsxg.conformance.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.litsxg.conformance.report.Outcome;
import org.litsxg.conformance.report.OutcomeReport;
import org.litsxg.conformance.report.ScenarioResult;
import org.litsxg.conformance.support.ClauseCatalog;

/** A fix or a regression counts only when a re-run of both builds repeats it. */
class BehaviourDiffConfirmTest {

    private static final ClauseCatalog CATALOG = ClauseCatalog.bundled();

    private static ScenarioResult result(String location, String status) {
        return ScenarioResult.of("a scenario", location, List.of("@CMD-13", "@must"), status,
                status.equals("PASSED") ? null : "it failed", List.of(), CATALOG);
    }

    private static SuiteRun run(ScenarioResult... results) {
        return new SuiteRun(OutcomeReport.of("build", List.of(results), CATALOG), Map.of(), 1.0, Path.of("."), false);
    }

    private static BehaviourDiff.Scenario scenario(String location, Outcome from, Outcome to, BehaviourDiff.Kind kind) {
        return new BehaviourDiff.Scenario(location, "a scenario", List.of("CMD-13"), from, to, kind, "detail",
                List.of(), List.of());
    }

    @Test
    void aRepeatedChangeIsConfirmedAndAChangeThatDoesNotRepeatIsUnstable() {
        BehaviourDiff.Result diff = new BehaviourDiff.Result(List.of(
                scenario("f:1", Outcome.OK, Outcome.FAILED, BehaviourDiff.Kind.REGRESSED),
                scenario("f:2", Outcome.OK, Outcome.FAILED, BehaviourDiff.Kind.REGRESSED),
                scenario("f:3", Outcome.FAILED, Outcome.OK, BehaviourDiff.Kind.FIXED),
                scenario("f:4", Outcome.OK, Outcome.OK, BehaviourDiff.Kind.DRIFT)), List.of("ext"));
        assertEquals(List.of("f:1", "f:2", "f:3"), BehaviourDiff.outcomeChanges(diff));

        SuiteRun againFrom = run(result("f:1", "PASSED"), result("f:2", "PASSED"), result("f:3", "PASSED"));
        SuiteRun againTo = run(result("f:1", "FAILED"), result("f:2", "PASSED"), result("f:3", "PASSED"));
        BehaviourDiff.Result confirmed = BehaviourDiff.confirm(diff, againFrom, againTo);

        assertEquals(BehaviourDiff.Kind.REGRESSED, confirmed.scenarios().get(0).kind(), "failed again on the candidate");
        assertTrue(confirmed.scenarios().get(0).detail().contains("confirmed"), confirmed.scenarios().get(0).detail());
        assertEquals(BehaviourDiff.Kind.UNSTABLE, confirmed.scenarios().get(1).kind(), "passed on the candidate's re-run");
        assertTrue(confirmed.scenarios().get(1).detail().contains("a re-run gave OK -> OK"), confirmed.scenarios().get(1).detail());
        assertEquals(BehaviourDiff.Kind.UNSTABLE, confirmed.scenarios().get(2).kind(), "the old build passed on its re-run");
        assertEquals(BehaviourDiff.Kind.DRIFT, confirmed.scenarios().get(3).kind(), "other kinds are left alone");
        assertEquals(List.of("ext"), confirmed.extensions());
        assertEquals(List.of("regression: CMD-13 f:1 a scenario (detail (confirmed by a re-run of both builds))", "extension: ext"),
                PolicyVerdict.of(new UpgradeInPlace.Result(List.of(), "", List.of(), List.of(), "", "", 0, 0), confirmed).reasons(),
                "only the confirmed regression (and the extension) are reasons");
    }
}

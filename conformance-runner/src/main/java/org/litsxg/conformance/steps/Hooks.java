package org.litsxg.conformance.steps;

import io.cucumber.java.After;
import io.cucumber.java.Before;
import io.cucumber.java.BeforeStep;
import io.cucumber.java.Scenario;
import org.litsxg.conformance.report.KitRun;

/**
 * Opens the scenario's context before its first step, with the settings of the run the
 * scenario belongs to ({@link KitRun}), and closes it after its last: every connection, every
 * server process, the temporary directory. What the scenario observed goes to its run. A failed
 * scenario (any scenario, with {@code keepEvidence}: verify-upgrade compares the wire
 * transcripts of two builds scenario by scenario) gets the output of every server process and
 * the transcript of every connection attached.
 */
public final class Hooks {

    private final ScenarioContext ctx;
    private final Evidence evidence;

    public Hooks(ScenarioContext ctx, Evidence evidence) {
        this.ctx = ctx;
        this.evidence = evidence;
    }

    @Before(order = 0)
    public void begin(Scenario scenario) {
        ctx.begin(scenario, KitRun.ofScenario(scenario.getId()).settings());
    }

    @BeforeStep
    public void step() {
        ctx.stepStarts();
    }

    @After(order = 0)
    public void end(Scenario scenario) {
        try {
            evidence.shutdown();
            if (scenario.isFailed() || ctx.settings() != null && ctx.settings().keepEvidence()) {
                evidence.attach();
            }
        } finally {
            evidence.close();
            KitRun.ofScenario(scenario.getId()).observed(scenario.getId(), ctx.observations());
        }
    }
}

package org.litsxg.conformance.steps;

import io.cucumber.java.After;
import io.cucumber.java.Before;
import io.cucumber.java.Scenario;

/**
 * Opens the scenario's context before its first step and closes it after its last: every
 * connection, every server process, the temporary directory. A failed scenario gets the
 * output of every server process and the transcript of every connection attached.
 */
public final class Hooks {

    /**
     * Set to {@code true} to attach the evidence of passing scenarios too (verify-upgrade compares
     * the wire transcripts of two builds scenario by scenario). Off by default: it costs memory.
     */
    public static final String KEEP_EVIDENCE = "litsxg.keep-evidence";

    private final ScenarioContext ctx;
    private final Evidence evidence;

    public Hooks(ScenarioContext ctx, Evidence evidence) {
        this.ctx = ctx;
        this.evidence = evidence;
    }

    @Before(order = 0)
    public void begin(Scenario scenario) {
        ctx.begin(scenario);
    }

    @After(order = 0)
    public void end(Scenario scenario) {
        try {
            evidence.shutdown();
            if (scenario.isFailed() || Boolean.getBoolean(KEEP_EVIDENCE)) {
                evidence.attach();
            }
        } finally {
            evidence.close();
        }
    }
}

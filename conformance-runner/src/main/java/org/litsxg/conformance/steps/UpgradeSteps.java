package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import java.util.ArrayList;
import java.util.List;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.WireClient;

/** Steps about upgrades (previous build to the build under test) and rollbacks. */
public final class UpgradeSteps {

    private final ScenarioContext ctx;

    public UpgradeSteps(ScenarioContext ctx) {
        this.ctx = ctx;
    }

    @Then("{conn}'s new connection is not authenticated")
    public void newConnectionNotAuthenticated(String label) {
        String name = ScenarioContext.nameOf(label);
        WireClient c = ctx.connect(name + "#after");
        ctx.sendLine(c, "SEND " + name + " still there?");
        ctx.expectReply(c, "ERR not-authenticated");
    }

    @Given("the server has been upgraded to the build under test and {word} registered there")
    public void upgradedAndRegistered(String name) {
        ServerInstance s = ctx.server();
        ctx.stop(s);
        s.template(ctx.settings().server());
        ctx.start(s);
        ctx.register(name);
    }

    @Then("the kit records whether the previous build serves {word} and {word}")
    public void recordRollback(String a, String b) {
        ServerInstance s = ctx.server();
        ServerProcess p = s.current();
        if (!p.isAlive()) {
            ctx.observe("the previous build did not start on the data directory: exit status "
                    + p.exitStatus().orElse(-1) + ", stderr " + p.stderr().lines());
            return;
        }
        List<String> seen = new ArrayList<>();
        for (String name : List.of(a, b)) {
            WireClient c = ctx.connect(name + "#rollback");
            ctx.sendLine(c, "AUTH " + name + " " + ctx.secret(name));
            Received r = c.nextReply(ctx.settings().replyTimeout());
            seen.add(name + ": " + (r instanceof Received.Line l ? l.firstTokens(2) : r.toString()));
            c.close();
        }
        ctx.observe("after the rollback the previous build runs; AUTH with the stored secrets gives " + seen);
    }
}

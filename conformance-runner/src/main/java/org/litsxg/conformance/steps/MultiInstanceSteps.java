package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.WireClient;

/** Steps about two instances on one machine. */
public final class MultiInstanceSteps {

    private final ScenarioContext ctx;

    public MultiInstanceSteps(ScenarioContext ctx) {
        this.ctx = ctx;
    }

    private ServerInstance second() {
        ServerInstance s = ctx.instance("second server");
        if (!s.isRunning()) {
            ctx.start(s);
        }
        return s;
    }

    private WireClient onlineOn(String label, ServerInstance s) {
        WireClient c = ctx.connect(label, s);
        String name = ScenarioContext.nameOf(label);
        ctx.sendLine(c, "AUTH " + name + " " + ctx.secret(name));
        Received r = c.nextReply(ctx.settings().replyTimeout());
        ctx.check(r instanceof Received.Line l && (l.firstTokens(2).equals("OK registered")
                || l.firstTokens(2).equals("OK authenticated")), label + " authenticates on " + s.label(), "got " + r);
        return c;
    }

    @When("{conn} is online on the first server and {conn} on the second")
    public void onlineOnBoth(String first, String other) {
        onlineOn(first, ctx.running());
        onlineOn(other, second());
    }

    @Given("{conn} is online on the second server")
    @When("{conn} comes online on the second server")
    public void onlineOnSecond(String label) {
        onlineOn(label, second());
    }

    @Then("{word}'s message to {word} is answered {string}")
    public void messageAnswered(String sender, String recipient, String expected) {
        WireClient c = ctx.client(sender);
        ctx.sendLine(c, "SEND " + recipient + " " + ctx.nextNumberedText(sender, recipient));
        ctx.expectReply(c, expected);
    }

    @Then("{word} can register on the second server with another secret")
    public void registerOnSecond(String name) {
        WireClient c = ctx.connect(name + "#on-second", second());
        ctx.sendLine(c, "AUTH " + name + " another-" + ctx.secret(name));
        ctx.expectReply(c, "OK registered");
    }
}

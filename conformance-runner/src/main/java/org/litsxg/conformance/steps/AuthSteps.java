package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.WireClient;

/** Steps about authentication: concurrent first use, failures, replacement, timeouts. */
public final class AuthSteps {

    private final ScenarioContext ctx;
    private final List<WireClient> crowd = new ArrayList<>();

    public AuthSteps(ScenarioContext ctx) {
        this.ctx = ctx;
    }

    @Then("{conn} is authenticated as {word}")
    public void authenticatedAs(String label, String name) {
        WireClient c = ctx.client(label);
        ctx.sendLine(c, "SEND " + name + " who am i");
        ctx.expectReply(c, "OK delivered");
        ctx.expectMessage(c, "MSG " + name + " who am i");
    }

    @When("{int} connections authenticate as {word} with the same secret at the same moment")
    public void crowdSameSecret(int n, String name) {
        crowd(n, name, true);
    }

    @When("{int} connections authenticate as {word} with different secrets at the same moment")
    public void crowdDifferentSecrets(int n, String name) {
        crowd(n, name, false);
    }

    private void crowd(int n, String name, boolean same) {
        for (int i = 1; i <= n; i++) {
            crowd.add(ctx.connect(name + "#crowd-" + i));
        }
        // Every connection is open before the first AUTH is written, and the AUTHs follow
        // one another with nothing in between, so they reach the server together.
        for (int i = 0; i < n; i++) {
            String secret = same ? ctx.secret(name) : ctx.secret(name) + "-" + (i + 1);
            ctx.sendLine(crowd.get(i), "AUTH " + name + " " + secret);
        }
    }

    @Then("exactly one of them receives {string} and every other {string}")
    public void exactlyOne(String one, String others) {
        List<String> got = new ArrayList<>();
        int ones = 0;
        int rest = 0;
        for (WireClient c : crowd) {
            Received r = c.nextReply(ctx.settings().replyTimeout());
            String first = r instanceof Received.Line l ? l.firstTokens(2) : r.toString();
            got.add(c.name() + ": " + first);
            if (first.equals(one)) {
                ones++;
            } else if (first.equals(others)) {
                rest++;
            }
        }
        ctx.check(ones == 1 && rest == crowd.size() - 1,
                "exactly one \"" + one + "\" and " + (crowd.size() - 1) + " \"" + others + "\"", got.toString());
    }

    @Given("{conn} has failed to authenticate as {word} {int} times")
    public void failedTimes(String label, String name, int times) {
        WireClient c = ctx.connect(label);
        for (int i = 1; i <= times; i++) {
            ctx.sendLine(c, "AUTH " + name + " not-the-secret-" + i);
            ctx.expectReply(c, "ERR auth-failed");
        }
    }

    @Given("{conn}'s session has been replaced by {conn}")
    public void replaced(String oldLabel, String newLabel) {
        WireClient fresh = ctx.connect(newLabel);
        ctx.authenticate(fresh, "OK authenticated");
        ctx.expectReply(ctx.client(oldLabel), "ERR session-replaced");
        ctx.expectClosed(ctx.client(oldLabel));
    }

    @When("{conn} keeps sending PING without authenticating")
    public void keepsPinging(String label) {
        WireClient c = ctx.client(label);
        Duration limit = Duration.ofSeconds(Long.parseLong(ctx.server().get("auth_timeout")))
                .plus(ctx.settings().replyTimeout());
        long deadline = System.nanoTime() + limit.toNanos();
        Duration pace = ctx.scaled(Duration.ofMillis(150));
        while (System.nanoTime() < deadline) {
            ctx.sendLine(c, "PING");
            Received r = c.next(ctx.settings().replyTimeout());
            if (!(r instanceof Received.Line l) || !l.text().equals("PONG")) {
                c.pushBack(r);
                return;
            }
            Optional<Received> early = c.firstArrivalWithin(pace);
            if (early.isPresent()) {
                return;
            }
        }
    }

    @Then("{conn} receives {string} about {int} second(s) after connecting")
    public void receivesAbout(String label, String expected, int seconds) {
        WireClient c = ctx.client(label);
        Duration nominal = Duration.ofSeconds(seconds);
        Received r = c.nextReply(nominal.plus(ctx.settings().replyTimeout()));
        ctx.check(r instanceof Received.Line l && l.firstTokens(2).equals(expected),
                label + " receives \"" + expected + "\"", "got " + r);
        Received.Line line = (Received.Line) r;
        long afterMs = (line.at() - c.connectedAt()) / 1_000_000;
        long earliest = nominal.toMillis() - 300;
        long latest = nominal.toMillis() + 1000 + ctx.scaled(Duration.ofSeconds(1)).toMillis();
        ctx.check(afterMs >= earliest && afterMs <= latest,
                "\"" + expected + "\" between " + earliest + " and " + latest + " ms after connecting",
                "it arrived " + afterMs + " ms after connecting");
    }

    @When("{conn} stays idle for {int} seconds")
    public void staysIdle(String label, int seconds) {
        WireClient c = ctx.client(label);
        Duration idle = Duration.ofSeconds(seconds);
        Optional<Received> got = c.firstArrivalWithin(idle);
        ctx.check(got.isEmpty(), "nothing arrives at " + label + " while it is idle for " + seconds + " s",
                "got " + got.map(Object::toString).orElse(""));
    }
}

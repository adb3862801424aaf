package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.WireClient;

/** Steps about authentication: who a connection is, failures, and session replacement. */
public final class AuthSteps {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;
    private final List<String> replacementProblems = new ArrayList<>();
    private int replacementRounds;

    public AuthSteps(ScenarioContext ctx, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    @Then("{conn} is authenticated as {word}")
    public void authenticatedAs(String label, String name) {
        WireClient c = clients.client(label);
        clients.sendLine(c, "SEND " + name + " who am i");
        protocol.expectReply(c, "OK delivered");
        protocol.expectMessage(c, "MSG " + name + " who am i");
    }

    /**
     * Session replacement raced {@code rounds} times: each round {@code n} new connections of
     * {@code label}'s name authenticate back to back while the session left by the previous
     * round is online. Every new AUTH must succeed (AUTH-8); the older session and every new one
     * but one must get ERR session-replaced and the close, and the one left must receive the
     * next message for the name (AUTH-9).
     */
    @When("in each of {int} rounds {int} more connections of {conn} authenticate at the same moment")
    public void replacementRounds(int rounds, int n, String label) {
        String name = Clients.nameOf(label);
        WireClient current = clients.client(label);
        WireClient sender = clients.clients().stream().filter(c -> !Clients.nameOf(c.name()).equals(name))
                .findFirst().orElseThrow(() -> new IllegalStateException("no other client online to send with"));
        String from = Clients.nameOf(sender.name());
        Duration t = ctx.settings().replyTimeout();
        for (int r = 1; r <= rounds && replacementProblems.isEmpty(); r++) {
            replacementRounds = r;
            List<WireClient> cs = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                cs.add(clients.connect(name + "#r" + r + "-" + i));
            }
            for (WireClient c : cs) {
                clients.sendLine(c, "AUTH " + name + " " + secrets.secret(name));
            }
            for (WireClient c : cs) {
                Received got = c.nextReply(t);
                if (!(got instanceof Received.Line l && l.firstTokens(2).equals("OK authenticated"))) {
                    replacementProblems.add("round " + r + ": " + c.name() + " got " + got);
                }
            }
            String text = "round " + r;
            clients.sendLine(sender, "SEND " + name + " " + text);
            secrets.sentText(text);
            protocol.expectReply(sender, "OK delivered");
            Received old = current.next(t);
            Received oldEnd = current.next(t);
            if (!(old instanceof Received.Line l && l.firstTokens(2).equals("ERR session-replaced"))
                    || !(oldEnd instanceof Received.Closed)) {
                replacementProblems.add("round " + r + ": the older session " + current.name() + " got " + old
                        + ", then " + oldEnd);
            }
            // Each replaced session's ERR was written before the AUTH that replaced it was answered,
            // and the message before its OK delivered: both are already on their way.
            Duration soon = ctx.scaled(Duration.ofSeconds(2));
            List<WireClient> left = new ArrayList<>();
            for (WireClient c : cs) {
                Received got = c.next(soon);
                if (got instanceof Received.Line l && l.text().equals("MSG " + from + " " + text)) {
                    left.add(c);
                } else if (got instanceof Received.Line l && l.firstTokens(2).equals("ERR session-replaced")) {
                    Received end = c.next(t);
                    if (!(end instanceof Received.Closed)) {
                        replacementProblems.add("round " + r + ": " + c.name() + " was replaced, then got " + end);
                    }
                } else {
                    replacementProblems.add("round " + r + ": " + c.name() + " got neither ERR session-replaced"
                            + " nor the message: " + got);
                }
            }
            if (left.size() != 1) {
                replacementProblems.add("round " + r + ": " + left.size() + " sessions received the message");
            }
            if (!left.isEmpty()) {
                current = left.get(0);
            }
        }
    }

    @Then("in every round each of them got {string}, every older session {string} and the close, and bob's next message reached the one left")
    public void replacementsHeld(String ok, String replaced) {
        ctx.check(replacementProblems.isEmpty(), "in each of the rounds every AUTH got \"" + ok + "\", every older"
                + " session \"" + replaced + "\" and the close, and exactly one session was left",
                "after " + replacementRounds + " rounds: " + String.join("; ", replacementProblems));
        ctx.observe(replacementRounds + " rounds of simultaneous session replacement");
    }

    @Given("{conn} has failed to authenticate as {word} {int} times")
    public void failedTimes(String label, String name, int times) {
        WireClient c = clients.connect(label);
        for (int i = 1; i <= times; i++) {
            clients.sendLine(c, "AUTH " + name + " not-the-secret-" + i);
            protocol.expectReply(c, "ERR auth-failed");
        }
    }

    @Given("{conn}'s session has been replaced by {conn}")
    public void replaced(String oldLabel, String newLabel) {
        WireClient fresh = clients.connect(newLabel);
        protocol.authenticate(fresh, "OK authenticated");
        protocol.expectReply(clients.client(oldLabel), "ERR session-replaced");
        protocol.expectClosed(clients.client(oldLabel));
    }
}

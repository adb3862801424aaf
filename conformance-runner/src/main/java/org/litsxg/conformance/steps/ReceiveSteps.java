package org.litsxg.conformance.steps;

import io.cucumber.java.en.Then;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps that observe what arrives at a connection. Replies are matched on their first tokens
 * (free text may follow, WIRE-11); {@code MSG} lines are matched exactly. Absence is shown with
 * the PING/PONG barrier where the protocol allows it, otherwise with a bounded quiet period.
 */
public final class ReceiveSteps {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;

    public ReceiveSteps(ScenarioContext ctx, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    @Then("{conn} receives {string}")
    public void receives(String label, String expected) {
        String e = secrets.text(expected);
        WireClient c = clients.client(label);
        if (e.startsWith("MSG ")) {
            protocol.expectMessage(c, e);
        } else {
            protocol.expectReply(c, e);
        }
    }

    @Then("{conn} receives the replies:")
    public void receivesReplies(String label, String docString) {
        WireClient c = clients.client(label);
        for (String expected : docString.split("\n")) {
            protocol.expectReply(c, secrets.text(expected));
        }
    }

    @Then("{conn} receives exactly these lines in this order:")
    public void receivesExactly(String label, String docString) {
        WireClient c = clients.client(label);
        List<String> got = new ArrayList<>();
        boolean ok = true;
        for (String raw : docString.split("\n")) {
            String expected = secrets.text(raw);
            Received r = c.next(ctx.settings().replyTimeout());
            got.add(r.toString());
            if (!(r instanceof Received.Line line)) {
                ok = false;
                break;
            }
            boolean match = expected.startsWith("MSG ") ? line.text().equals(expected)
                    : line.firstTokens(expected.split(" ").length).equals(expected);
            if (!match) {
                ok = false;
                break;
            }
        }
        ctx.check(ok, label + " receives, in this order:\n" + docString, String.join("\n", got));
    }

    @Then("{conn} receives the messages:")
    public void receivesMessages(String label, String docString) {
        WireClient c = clients.client(label);
        for (String expected : docString.split("\n")) {
            protocol.expectMessage(c, secrets.text(expected));
        }
    }

    @Then("{conn} receives the {int} messages from {word} in order")
    public void receivesInOrder(String label, int count, String sender) {
        WireClient c = clients.client(label);
        for (int i = 1; i <= count; i++) {
            protocol.expectMessage(c, "MSG " + sender + " message " + i + " from " + sender);
        }
    }

    @Then("{conn} receives {int} replies {string}")
    public void receivesNReplies(String label, int count, String expected) {
        WireClient c = clients.client(label);
        for (int i = 0; i < count; i++) {
            protocol.expectReply(c, expected);
        }
    }

    @Then("{conn} receives no message")
    public void receivesNoMessage(String label) {
        protocol.barrier(clients.client(label), label + " receives no MSG line");
    }

    @Then("{conn} gets no reply")
    public void getsNoReply(String label) {
        protocol.barrier(clients.client(label), label + " gets no reply to that line");
    }

    @Then("{conn} is still connected")
    public void stillConnected(String label) {
        protocol.barrier(clients.client(label), label + "'s connection is still open and served");
    }

    @Then("nothing arrives at {conn}")
    public void nothingArrives(String label) {
        WireClient c = clients.client(label);
        Duration quiet = ctx.settings().quietPeriod();
        Optional<Received> first = c.firstArrivalWithin(quiet);
        ctx.check(first.isEmpty(), "nothing arrives at " + label + " for " + quiet.toMillis() + " ms",
                "got " + first.map(Object::toString).orElse(""));
    }

    @Then("{conn} is disconnected")
    public void disconnected(String label) {
        protocol.expectClosed(clients.client(label));
    }

    @Then("{word} receives the {int} messages from {word} in order, and no other message")
    public void receivesInOrderOnly(String label, int count, String sender) {
        receivesInOrder(label, count, sender);
        receivesNoMessage(label);
    }

    @Then("{names} are disconnected")
    public void allDisconnected(List<String> labels) {
        labels.forEach(this::disconnected);
    }

    @Then("{conn} receives {string} and is disconnected")
    public void receivesAndDisconnected(String label, String expected) {
        receives(label, expected);
        disconnected(label);
    }

    @Then("{conn} receives nothing else")
    public void receivesNothingElse(String label) {
        nothingArrives(label);
        protocol.barrier(clients.client(label), label + " receives no further line");
    }
}

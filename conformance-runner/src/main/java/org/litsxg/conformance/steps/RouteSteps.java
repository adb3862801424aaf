package org.litsxg.conformance.steps;

import static org.awaitility.Awaitility.await;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.WireClient;

/** Steps about delivery, ordering and the moment a name goes offline. */
public final class RouteSteps {

    private final ScenarioContext ctx;

    public RouteSteps(ScenarioContext ctx) {
        this.ctx = ctx;
    }

    @When("{conn} comes online while {conn} sends {int} more messages to {word}")
    public void comesOnlineWhile(String recipientLabel, String senderLabel, int count, String recipient) {
        WireClient r = ctx.connect(recipientLabel);
        String name = ScenarioContext.nameOf(recipientLabel);
        ctx.sendLine(r, "AUTH " + name + " " + ctx.secret(name));
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append("SEND ").append(recipient).append(' ')
                    .append(ctx.nextNumberedText(ScenarioContext.nameOf(senderLabel), recipient)).append('\n');
        }
        ctx.send(ctx.client(senderLabel), out.toString().getBytes(StandardCharsets.UTF_8));
        ctx.expectReply(r, "OK authenticated");
    }

    @When("{names} each send {int} messages to {word} in one write")
    public void eachSend(List<String> senders, int count, String recipient) {
        for (String s : senders) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < count; i++) {
                out.append("SEND ").append(recipient).append(' ').append(ctx.nextNumberedText(s, recipient))
                        .append('\n');
            }
            ctx.send(ctx.client(s), out.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    @Then("{word} receives the {int} messages from {word} in order, interleaved with the {int} messages from {word} in order")
    public void interleaved(String label, int n1, String s1, int n2, String s2) {
        WireClient c = ctx.client(label);
        List<String> got = new ArrayList<>();
        int next1 = 1;
        int next2 = 1;
        for (int i = 0; i < n1 + n2; i++) {
            Received r = c.nextMessage(ctx.settings().replyTimeout());
            got.add(r.toString());
            if (!(r instanceof Received.Line line)) {
                break;
            }
            if (line.text().equals("MSG " + s1 + " message " + next1 + " from " + s1)) {
                next1++;
            } else if (line.text().equals("MSG " + s2 + " message " + next2 + " from " + s2)) {
                next2++;
            } else {
                break;
            }
        }
        ctx.check(next1 == n1 + 1 && next2 == n2 + 1, label + " receives messages 1.." + n1 + " from " + s1
                + " and 1.." + n2 + " from " + s2 + ", each sender's in order", "received " + got);
    }

    @Then("{conn} receives no further line")
    public void noFurtherLine(String label) {
        ctx.barrier(ctx.client(label), label + " receives no line beyond those already counted");
    }

    @Then("the kit records whether {conn}'s MSG came before or after its OK delivered")
    public void recordSelfOrder(String label) {
        WireClient c = ctx.client(label);
        Received first = c.next(ctx.settings().replyTimeout());
        Received second = c.next(ctx.settings().replyTimeout());
        ctx.check(first instanceof Received.Line && second instanceof Received.Line,
                label + " receives its MSG and its OK delivered", "got " + first + ", then " + second);
        boolean msgFirst = ((Received.Line) first).isMessage();
        ctx.observe("a message to oneself: MSG arrived " + (msgFirst ? "before" : "after") + " OK delivered ("
                + first + ", then " + second + ")");
    }

    @When("{conn}'s connection ends by the client closing it")
    public void endsByClose(String label) {
        ctx.client(label).close();
    }

    @When("{conn}'s connection ends by a half-close of the client")
    public void endsByHalfClose(String label) throws IOException {
        WireClient c = ctx.client(label);
        c.shutdownOutput();
        ctx.expectClosed(c);
    }

    @When("{conn}'s connection ends by a line that is too long")
    public void endsByLongLine(String label) {
        WireClient c = ctx.client(label);
        ctx.send(c, (Lines.sendOfLength("nobody", 5000) + "\n").getBytes(StandardCharsets.US_ASCII));
        ctx.expectReply(c, "ERR line-too-long");
        ctx.expectClosed(c);
    }

    /**
     * The server may learn that a connection ended a little after the kit closed it, so the
     * sender tries again (each try one message) until the reply is the expected one, within
     * the reply timeout. Any reply but OK delivered and the expected one fails at once.
     */
    @Then("{word}'s next message to {word} is answered {string}")
    public void nextMessageAnswered(String sender, String recipient, String expected) {
        WireClient c = ctx.client(sender);
        AtomicReference<String> last = new AtomicReference<>("nothing");
        try {
            await(sender + "'s message to " + recipient + " is answered " + expected)
                    .atMost(ctx.settings().replyTimeout())
                    .pollInSameThread()
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        ctx.sendLine(c, "SEND " + recipient + " " + ctx.nextNumberedText(sender, recipient));
                        Received r = c.nextReply(ctx.settings().replyTimeout());
                        last.set(r.toString());
                        if (r instanceof Received.Line l && l.firstTokens(2).equals(expected)) {
                            return true;
                        }
                        if (r instanceof Received.Line l && l.firstTokens(2).equals("OK delivered")) {
                            return false;
                        }
                        throw ctx.failure("\"" + expected + "\" (or, until the server has seen the end of the"
                                + " connection, OK delivered)", "got " + r);
                    });
        } catch (ConditionTimeoutException e) {
            throw ctx.failure(sender + "'s message to " + recipient + " is answered \"" + expected + "\" within "
                    + ctx.settings().replyTimeout().toMillis() + " ms", "the last reply was " + last.get());
        }
    }
}

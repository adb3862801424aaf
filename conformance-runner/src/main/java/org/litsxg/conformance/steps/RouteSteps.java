package org.litsxg.conformance.steps;

import static org.awaitility.Awaitility.await;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.WireClient;

/** Steps about delivery, ordering and the moment a name goes offline. */
public final class RouteSteps {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;

    public RouteSteps(ScenarioContext ctx, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    @When("{conn} comes online while {conn} sends {int} more messages to {word}")
    public void comesOnlineWhile(String recipientLabel, String senderLabel, int count, String recipient) {
        WireClient r = clients.connect(recipientLabel);
        String name = Clients.nameOf(recipientLabel);
        clients.sendLine(r, "AUTH " + name + " " + secrets.secret(name));
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append("SEND ").append(recipient).append(' ')
                    .append(secrets.nextNumberedText(Clients.nameOf(senderLabel), recipient)).append('\n');
        }
        clients.send(clients.client(senderLabel), out.toString().getBytes(StandardCharsets.UTF_8));
        protocol.expectReply(r, "OK authenticated");
    }

    @When("{names} each send {int} messages to {word} in one write")
    public void eachSend(List<String> senders, int count, String recipient) {
        for (String s : senders) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < count; i++) {
                out.append("SEND ").append(recipient).append(' ').append(secrets.nextNumberedText(s, recipient))
                        .append('\n');
            }
            clients.send(clients.client(s), out.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    @Then("{word} receives the {int} messages from {word} in order, interleaved with the {int} messages from {word} in order")
    public void interleaved(String label, int n1, String s1, int n2, String s2) {
        WireClient c = clients.client(label);
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
        protocol.barrier(clients.client(label), label + " receives no line beyond those already counted");
    }

    @Then("the kit records whether {conn}'s MSG came before or after its OK delivered")
    public void recordSelfOrder(String label) {
        WireClient c = clients.client(label);
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
        clients.client(label).close();
    }

    @When("{conn}'s connection ends by a half-close of the client")
    public void endsByHalfClose(String label) throws IOException {
        WireClient c = clients.client(label);
        c.shutdownOutput();
        protocol.expectClosed(c);
    }

    @When("{conn}'s connection ends by a line that is too long")
    public void endsByLongLine(String label) {
        WireClient c = clients.client(label);
        clients.send(c, (Lines.sendOfLength("nobody", 5000) + "\n").getBytes(StandardCharsets.US_ASCII));
        protocol.expectReply(c, "ERR line-too-long");
        protocol.expectClosed(c);
    }

    /**
     * The connection has ended on the server's side (the kit has read the server's last line
     * and its close), so the name is offline at once: the very first SEND to it must be
     * answered {@code expected}, no retry.
     */
    @Then("{word}'s first message to {word} after that is answered {string}")
    public void firstMessageAnswered(String sender, String recipient, String expected) {
        WireClient c = clients.client(sender);
        clients.sendLine(c, "SEND " + recipient + " " + secrets.nextNumberedText(sender, recipient));
        Received r = c.nextReply(ctx.settings().replyTimeout());
        ctx.check(r instanceof Received.Line l && l.firstTokens(2).equals(expected),
                "the first SEND to " + recipient + " after the server ended its connection is answered \""
                        + expected + "\" (the name is offline from the moment its connection ends, with no grace)",
                "got " + r);
    }

    /**
     * The client closed its connection: the server learns of it when it reads the end of stream,
     * a moment after the kit closed it. So the sender tries again (each try one message) until
     * the reply is the expected one, but only for {@code seconds} (scaled); any reply but OK
     * delivered and the expected one fails at once.
     */
    @Then("{word}'s next message to {word} is answered {string} within {int} second(s)")
    public void nextMessageAnswered(String sender, String recipient, String expected, int seconds) {
        WireClient c = clients.client(sender);
        Duration bound = ctx.scaled(Duration.ofSeconds(seconds));
        AtomicReference<String> last = new AtomicReference<>("nothing");
        AtomicInteger tries = new AtomicInteger();
        long start = System.nanoTime();
        try {
            await(sender + "'s message to " + recipient + " is answered " + expected)
                    .atMost(bound)
                    .pollInSameThread()
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        tries.incrementAndGet();
                        clients.sendLine(c, "SEND " + recipient + " " + secrets.nextNumberedText(sender, recipient));
                        Received r = c.nextReply(ctx.settings().replyTimeout());
                        last.set(r.toString());
                        if (r instanceof Received.Line l && l.firstTokens(2).equals(expected)) {
                            return true;
                        }
                        if (r instanceof Received.Line l && l.firstTokens(2).equals("OK delivered")) {
                            return false;
                        }
                        throw ctx.failure("\"" + expected + "\" (or, until the server has read the end of the"
                                + " connection, OK delivered)", "got " + r);
                    });
        } catch (ConditionTimeoutException e) {
            throw ctx.failure(sender + "'s message to " + recipient + " is answered \"" + expected + "\" within "
                    + bound.toMillis() + " ms of the client's close", tries.get() + " tries; the last reply was "
                    + last.get());
        }
        ctx.observe(recipient + " offline " + (System.nanoTime() - start) / 1_000_000 + " ms after the client's close ("
                + tries.get() + " SEND" + (tries.get() == 1 ? "" : "s") + ")");
    }
}

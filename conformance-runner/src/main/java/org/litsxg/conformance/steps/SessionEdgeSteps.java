package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.Unimplemented;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps for the wire, routing and queue decisions of spec 1.1: the exact PONG (WIRE-18), the
 * last line before a server close (WIRE-19), the moment a name goes offline (ROUTE-10), an AUTH
 * answered after a half-close (QUEUE-7), and a queue flush larger than the pending-output bound
 * (QUEUE-9).
 */
public final class SessionEdgeSteps {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;
    /** The padding of the long messages a scenario queued, by recipient. */
    private final Map<String, Integer> longMessageBytes = new HashMap<>();

    public SessionEdgeSteps(ScenarioContext ctx, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    @Then("the next line {conn} receives is exactly {string}")
    public void nextLineExactly(String label, String expected) {
        WireClient c = clients.client(label);
        Received r = c.next(ctx.settings().replyTimeout());
        ctx.check(r instanceof Received.Line l && l.text().equals(expected),
                label + " receives the line \"" + expected + "\", nothing more on it", label + " got " + r);
    }

    @When("{conn} sends QUIT followed by {int} PING lines in one write")
    public void quitThenPings(String label, int pings) {
        byte[] bytes = ("QUIT\n" + "PING\n".repeat(pings)).getBytes(StandardCharsets.US_ASCII);
        WireClient c = clients.client(label);
        // The server may stop reading (and close) before the kit has written everything: a
        // write that fails then is the server's right, not a failure.
        try {
            c.sendBytes(bytes);
        } catch (IOException e) {
            c.transcript().event("the kit's write ended early: " + e.getMessage());
        }
    }

    @Then("{conn} receives {string} and then the end of the stream, not a reset")
    public void receivesThenOrderlyEnd(String label, String expected) {
        WireClient c = clients.client(label);
        Received r = c.next(ctx.settings().replyTimeout());
        ctx.check(r instanceof Received.Line l && l.firstTokens(expected.split(" ").length).equals(expected),
                label + " receives \"" + expected + "\" although it sent more lines after it", label + " got " + r);
        Received end = c.next(ctx.settings().replyTimeout());
        if (c.throughProxy() && end instanceof Received.Closed cl && !cl.how().startsWith("end of stream")) {
            // Through Tor the connection the kit holds is the proxy's: a proxy that still has
            // unread bytes of the kit's when the stream ends resets it, whatever the server did.
            throw new Unimplemented("through a SOCKS proxy (Tor) the close the kit sees is the proxy's (" + cl.how()
                    + "), so whether the server reset the connection cannot be judged; \"" + expected
                    + "\" did arrive; this scenario needs a direct connection");
        }
        ctx.check(end instanceof Received.Closed cl && cl.how().startsWith("end of stream"),
                "after \"" + expected + "\", the end of the stream (FIN), with no further line and no reset",
                label + " got " + end);
    }

    @When("{conn} sends a message to {word} as soon as {word} has read {string}")
    public void sendsAsSoonAs(String label, String recipient, String other, String reply) {
        WireClient o = clients.client(other);
        protocol.expectReply(o, reply);
        WireClient c = clients.client(label);
        String text = secrets.nextNumberedText(Clients.nameOf(label), recipient);
        clients.sendLine(c, "SEND " + recipient + " " + text);
    }

    @When("{conn} authenticates and half-closes the connection at once")
    public void authThenHalfClose(String label) {
        WireClient c = clients.connect(label);
        String name = Clients.nameOf(label);
        clients.sendLine(c, "AUTH " + name + " " + secrets.secret(name));
        try {
            c.shutdownOutput();
        } catch (IOException e) {
            throw ctx.failure("the kit can half-close " + label + "'s connection", e.toString());
        }
    }

    @Given("{conn} has queued {int} messages of {int} bytes for {word}")
    public void queuedLong(String label, int count, int bytes, String recipient) {
        if (!clients.hasClient(label)) {
            clients.connect(label);
            protocol.authenticate(clients.client(label), "OK registered");
        }
        WireClient c = clients.client(label);
        String from = Clients.nameOf(label);
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            String text = longText(secrets.nextNumberedText(from, recipient), bytes);
            out.append("SEND ").append(recipient).append(' ').append(text).append('\n');
        }
        longMessageBytes.put(recipient, bytes);
        clients.send(c, out.toString().getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < count; i++) {
            protocol.expectReply(c, "OK queued");
        }
    }

    private static String longText(String numbered, int bytes) {
        StringBuilder t = new StringBuilder(numbered).append(' ');
        while (t.length() < bytes) {
            t.append('x');
        }
        return t.toString();
    }

    @When("{conn} comes online with a small receive buffer and stops reading")
    public void onlineNotReading(String label) {
        WireClient c = clients.connectNonReading(label);
        protocol.authenticate(c, "OK authenticated");
        c.pauseReading();
    }

    @Then("once {conn} reads again, he/she receives the {int} long messages from {word} in order, then {string}")
    public void readsLongMessages(String label, int count, String sender, String last) {
        WireClient c = clients.client(label);
        c.resumeReading();
        String name = Clients.nameOf(label);
        int bytes = longMessageBytes.getOrDefault(name, 0);
        Duration each = ctx.scaled(Duration.ofSeconds(10));
        for (int i = 1; i <= count; i++) {
            Received r = c.nextMessage(each);
            String expected = "MSG " + sender + " " + longText("message " + i + " from " + sender, bytes);
            if (!(r instanceof Received.Line l && l.text().equals(expected))) {
                throw ctx.failure(label + " receives every queued message, in order, without being dropped",
                        "message " + i + " of " + count + ": " + abbreviate(r.toString()));
            }
        }
        protocol.expectMessage(c, secrets.text(last));
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }
}

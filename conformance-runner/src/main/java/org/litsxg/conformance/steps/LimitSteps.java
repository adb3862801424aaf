package org.litsxg.conformance.steps;

import static org.awaitility.Awaitility.await;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.WireClient;

/** Steps about line length and the connection cap. */
public final class LimitSteps {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Protocol protocol;

    public LimitSteps(ScenarioContext ctx, Clients clients, Protocol protocol) {
        this.ctx = ctx;
        this.clients = clients;
        this.protocol = protocol;
    }

    @When("{conn} sends a line of {int} bytes followed by {string}")
    public void longLineThen(String label, int length, String next) {
        clients.send(clients.client(label), (Lines.sendOfLength("nobody", length) + "\n" + next + "\n")
                .getBytes(StandardCharsets.US_ASCII));
    }

    @When("{conn} sends a line of {int} bytes, terminated by CRLF")
    public void longLineCrlf(String label, int length) {
        clients.send(clients.client(label), (Lines.sendOfLength("nobody", length) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    }

    @When("{conn} sends {int} bytes without a line end")
    public void unterminated(String label, int length) {
        clients.send(clients.client(label), Lines.sendOfLength("nobody", length).getBytes(StandardCharsets.US_ASCII));
    }

    @Given("{int} more clients are connected")
    @Given("{int} clients are connected")
    public void clientsConnected(int n) {
        for (int i = 1; i <= n; i++) {
            WireClient c = clients.connect("client-" + i);
            protocol.barrier(c, "client-" + i + " is accepted and served");
        }
    }

    @Given("a fourth connection has been refused with {string}")
    public void fourthRefused(String expected) {
        WireClient c = clients.connect("refused");
        protocol.expectReply(c, expected);
        protocol.expectClosed(c);
    }

    @When("one of the connected clients closes its connection")
    public void oneCloses() {
        clients.client("client-1").close();
    }

    @Then("a new connection is accepted again")
    public void acceptedAgain() {
        ServerInstance s = ctx.server();
        AtomicReference<String> last = new AtomicReference<>("nothing");
        AtomicLong tries = new AtomicLong();
        try {
            await("a new connection is served").atMost(ctx.settings().replyTimeout()).pollInSameThread()
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).until(() -> {
                        WireClient c = clients.connect("newcomer-" + tries.incrementAndGet(), s);
                        clients.sendLine(c, "PING");
                        Received r = c.next(ctx.settings().replyTimeout());
                        last.set(r.toString());
                        c.close();
                        return r instanceof Received.Line l && l.text().equals("PONG");
                    });
        } catch (ConditionTimeoutException e) {
            throw ctx.failure("a connection made after one of the open ones ended is accepted and served",
                    tries.get() + " tries; the last got " + last.get());
        }
    }
}

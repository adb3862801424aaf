package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.WireClient;

/** Steps about the offline queue: filling it, flushing it, losing it. */
public final class QueueSteps {

    private final ScenarioContext ctx;

    public QueueSteps(ScenarioContext ctx) {
        this.ctx = ctx;
    }

    /** Connects {@code label} and authenticates it; accepts OK registered or OK authenticated. */
    private WireClient bringOnline(String label) {
        WireClient c = ctx.connect(label);
        String name = ScenarioContext.nameOf(label);
        ctx.sendLine(c, "AUTH " + name + " " + ctx.secret(name));
        Received r = c.nextReply(ctx.settings().replyTimeout());
        boolean ok = r instanceof Received.Line l
                && (l.firstTokens(2).equals("OK authenticated") || l.firstTokens(2).equals("OK registered"));
        ctx.check(ok, label + " gets OK registered or OK authenticated", label + " got " + r);
        return c;
    }

    @Given("{names} have queued {int} messages for {word} between them")
    public void queuedBetween(List<String> senders, int count, String recipient) {
        for (String s : senders) {
            if (!ctx.hasClient(s)) {
                bringOnline(s);
            }
        }
        for (int i = 0; i < count; i++) {
            String s = senders.get(i % senders.size());
            WireClient c = ctx.client(s);
            ctx.sendLine(c, "SEND " + recipient + " " + ctx.nextNumberedText(s, recipient));
            ctx.expectReply(c, "OK queued");
        }
    }

    @Given("{conn} has queued {int} messages for {word} and had one more refused")
    public void queuedAndRefused(String label, int count, String recipient) {
        if (!ctx.hasClient(label)) {
            bringOnline(label);
        }
        WireClient c = ctx.client(label);
        for (int i = 0; i < count; i++) {
            ctx.sendLine(c, "SEND " + recipient + " " + ctx.nextNumberedText(ScenarioContext.nameOf(label), recipient));
            ctx.expectReply(c, "OK queued");
        }
        ctx.sendLine(c, "SEND " + recipient + " this one is refused");
        ctx.sentText("this one is refused");
        ctx.expectReply(c, "ERR queue-full");
    }

    @When("{conn} comes online")
    public void comesOnline(String label) {
        bringOnline(label);
    }

    @When("{conn} comes online and pings at once")
    public void comesOnlineAndPings(String label) {
        WireClient c = ctx.connect(label);
        String name = ScenarioContext.nameOf(label);
        ctx.sendLine(c, "AUTH " + name + " " + ctx.secret(name) + "\nPING");
    }

    /**
     * Counts: exactly messages 1..count from the sender, in order, each once, and the PING/PONG
     * barrier after the last, so that a duplicate, a lost or a reordered message fails.
     */
    @Given("{conn} has come online and received the {int} messages from {word} in order, and no other message")
    public void cameOnlineAndReceived(String label, int count, String sender) {
        WireClient c = bringOnline(label);
        for (int i = 1; i <= count; i++) {
            ctx.expectMessage(c, "MSG " + sender + " message " + i + " from " + sender);
        }
        ctx.barrier(c, label + " receives the " + count + " queued messages from " + sender
                + " and no other message");
    }

    @Then("{word}, once online, receives {string} and no other message")
    public void onceOnlineReceives(String label, String expected) {
        WireClient c = bringOnline(label);
        ctx.expectMessage(c, ctx.text(expected));
        ctx.barrier(c, label + " receives the queued message once, and no other message");
    }

    @When("{conn} comes online again on a new connection")
    public void comesOnlineAgain(String label) {
        ctx.client(label).close();
        bringOnline(label);
    }

    @When("the server receives {word} and is started again")
    public void signalledAndStarted(String signal) {
        ServerInstance s = ctx.running();
        ServerProcess p = s.current();
        try {
            p.signal(signal.replaceFirst("^SIG", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (p.awaitExit(ctx.settings().stopTimeout()).isEmpty()) {
            throw ctx.failure("the server exits after " + signal, "it is still running after "
                    + ctx.settings().stopTimeout().toMillis() + " ms");
        }
        ctx.start(s);
    }

    @When("the server process is killed and is started again")
    public void killedAndStarted() {
        ServerInstance s = ctx.running();
        s.current().kill();
        ctx.start(s);
    }

    @Then("{conn} receives no message once he/she is online again")
    public void noMessageOnceOnline(String label) {
        WireClient c = bringOnline(label);
        ctx.barrier(c, label + " receives no message after the restart");
    }

    @Then("the kit records whether {conn}, once online again, receives the message queued before the restart")
    public void recordLoss(String label) {
        WireClient c = bringOnline(label);
        ctx.sendLine(c, "PING");
        Received r = c.next(ctx.settings().replyTimeout());
        boolean lost = r instanceof Received.Line l && l.text().equals("PONG");
        ctx.observe(lost ? "a message answered OK queued was lost by the restart (the seeds accept message loss)"
                : "after the restart " + label + " first received " + r);
    }
}

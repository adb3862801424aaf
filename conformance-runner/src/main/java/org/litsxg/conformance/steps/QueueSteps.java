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
    private final Servers servers;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;

    public QueueSteps(ScenarioContext ctx, Servers servers, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    @Given("{names} have queued {int} messages for {word} between them")
    public void queuedBetween(List<String> senders, int count, String recipient) {
        for (String s : senders) {
            if (!clients.hasClient(s)) {
                protocol.online(s);
            }
        }
        for (int i = 0; i < count; i++) {
            String s = senders.get(i % senders.size());
            WireClient c = clients.client(s);
            clients.sendLine(c, "SEND " + recipient + " " + secrets.nextNumberedText(s, recipient));
            protocol.expectReply(c, "OK queued");
        }
    }

    @Given("{conn} has queued {int} messages for {word} and had one more refused")
    public void queuedAndRefused(String label, int count, String recipient) {
        if (!clients.hasClient(label)) {
            protocol.online(label);
        }
        WireClient c = clients.client(label);
        for (int i = 0; i < count; i++) {
            clients.sendLine(c, "SEND " + recipient + " " + secrets.nextNumberedText(Clients.nameOf(label), recipient));
            protocol.expectReply(c, "OK queued");
        }
        clients.sendLine(c, "SEND " + recipient + " this one is refused");
        secrets.sentText("this one is refused");
        protocol.expectReply(c, "ERR queue-full");
    }

    @When("{conn} comes online")
    public void comesOnline(String label) {
        protocol.online(label);
    }

    @When("{conn} comes online and pings at once")
    public void comesOnlineAndPings(String label) {
        WireClient c = clients.connect(label);
        String name = Clients.nameOf(label);
        clients.sendLine(c, "AUTH " + name + " " + secrets.secret(name) + "\nPING");
    }

    /**
     * Counts: exactly messages 1..count from the sender, in order, each once, and the PING/PONG
     * barrier after the last, so that a duplicate, a lost or a reordered message fails.
     */
    @Given("{conn} has come online and received the {int} messages from {word} in order, and no other message")
    public void cameOnlineAndReceived(String label, int count, String sender) {
        WireClient c = protocol.online(label);
        for (int i = 1; i <= count; i++) {
            protocol.expectMessage(c, "MSG " + sender + " message " + i + " from " + sender);
        }
        protocol.barrier(c, label + " receives the " + count + " queued messages from " + sender
                + " and no other message");
    }

    @Then("{word}, once online, receives {string} and no other message")
    public void onceOnlineReceives(String label, String expected) {
        WireClient c = protocol.online(label);
        protocol.expectMessage(c, secrets.text(expected));
        protocol.barrier(c, label + " receives the queued message once, and no other message");
    }

    @When("{conn} comes online again on a new connection")
    public void comesOnlineAgain(String label) {
        clients.client(label).close();
        protocol.online(label);
    }

    @When("the server receives {word} and is started again")
    public void signalledAndStarted(String signal) {
        ServerInstance s = servers.running();
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
        servers.start(s);
    }

    @When("the server process is killed and is started again")
    public void killedAndStarted() {
        ServerInstance s = servers.running();
        s.current().kill();
        servers.start(s);
    }

    @Then("{conn} receives no message once he/she is online again")
    public void noMessageOnceOnline(String label) {
        WireClient c = protocol.online(label);
        protocol.barrier(c, label + " receives no message after the restart");
    }

    @Then("the kit records whether {conn}, once online again, receives the message queued before the restart")
    public void recordLoss(String label) {
        WireClient c = protocol.online(label);
        clients.sendLine(c, "PING");
        Received r = c.next(ctx.settings().replyTimeout());
        boolean lost = r instanceof Received.Line l && l.text().equals("PONG");
        ctx.observe(lost ? "a message answered OK queued was lost by the restart (the seeds accept message loss)"
                : "after the restart " + label + " first received " + r);
    }

    @Then("{word}, once online, receives the {int} messages from {word} in order and no other")
    public void onceOnlineReceivesInOrder(String label, int count, String sender) {
        WireClient c = clients.connect(label);
        protocol.authenticate(c, "OK authenticated");
        for (int i = 1; i <= count; i++) {
            protocol.expectMessage(c, "MSG " + sender + " message " + i + " from " + sender);
        }
        protocol.barrier(c, label + " receives no message beyond the first " + count);
    }
}

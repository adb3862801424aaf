package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.WireClient;

/** Steps about two instances on one machine. */
public final class MultiInstanceSteps {

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;

    public MultiInstanceSteps(ScenarioContext ctx, Servers servers, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    private ServerInstance second() {
        ServerInstance s = ctx.instance("second server");
        if (!s.isRunning()) {
            servers.start(s);
        }
        return s;
    }

    @When("{conn} is online on the first server and {conn} on the second")
    public void onlineOnBoth(String first, String other) {
        protocol.online(first, servers.running());
        protocol.online(other, second());
    }

    @Given("{conn} is online on the second server")
    @When("{conn} comes online on the second server")
    public void onlineOnSecond(String label) {
        protocol.online(label, second());
    }

    @Then("{word}'s message to {word} is answered {string}")
    public void messageAnswered(String sender, String recipient, String expected) {
        WireClient c = clients.client(sender);
        clients.sendLine(c, "SEND " + recipient + " " + secrets.nextNumberedText(sender, recipient));
        protocol.expectReply(c, expected);
    }

    @Then("{word} can register on the second server with another secret")
    public void registerOnSecond(String name) {
        WireClient c = clients.connect(name + "#on-second", second());
        clients.sendLine(c, "AUTH " + name + " another-" + secrets.secret(name));
        protocol.expectReply(c, "OK registered");
    }
}

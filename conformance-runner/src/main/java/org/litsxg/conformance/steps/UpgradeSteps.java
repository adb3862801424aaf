package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import java.util.ArrayList;
import java.util.List;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.WireClient;

/** Steps about upgrades (previous build to the build under test) and rollbacks. */
public final class UpgradeSteps {

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;

    public UpgradeSteps(ScenarioContext ctx, Servers servers, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    @Then("{conn}'s new connection is not authenticated")
    public void newConnectionNotAuthenticated(String label) {
        String name = Clients.nameOf(label);
        WireClient c = clients.connect(name + "#after");
        clients.sendLine(c, "SEND " + name + " still there?");
        protocol.expectReply(c, "ERR not-authenticated");
    }

    @Given("the server has been upgraded to the build under test and {word} registered there")
    public void upgradedAndRegistered(String name) {
        ServerInstance s = ctx.server();
        servers.stop(s);
        s.template(ctx.settings().server());
        servers.start(s);
        protocol.register(name);
    }

    @Then("the kit records whether the previous build serves {word} and {word}")
    public void recordRollback(String a, String b) {
        ServerInstance s = ctx.server();
        ServerProcess p = s.current();
        if (!p.isAlive()) {
            ctx.observe("the previous build did not start on the data directory: exit status "
                    + p.exitStatus().orElse(-1) + ", stderr " + p.stderr().lines());
            return;
        }
        List<String> seen = new ArrayList<>();
        for (String name : List.of(a, b)) {
            WireClient c = clients.connect(name + "#rollback");
            clients.sendLine(c, "AUTH " + name + " " + secrets.secret(name));
            Received r = c.nextReply(ctx.settings().replyTimeout());
            seen.add(name + ": " + (r instanceof Received.Line l ? l.firstTokens(2) : r.toString()));
            c.close();
        }
        ctx.observe("after the rollback the previous build runs; AUTH with the stored secrets gives " + seen);
    }
}

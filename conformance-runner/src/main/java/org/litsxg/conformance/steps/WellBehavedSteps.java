package org.litsxg.conformance.steps;

import io.cucumber.java.After;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.litsxg.conformance.support.WellBehavedClient;
import org.litsxg.conformance.support.WireClient;

/**
 * The well-behaved client of the hostile-input features (HOST-1): it keeps checking the server
 * from its own two connections (PING, and a SEND to its partner) while a hostile client acts,
 * and is judged on every round trip.
 */
public final class WellBehavedSteps {

    /** Labels of the well-behaved client's two connections (no step of a feature names them). */
    static final String WELL_BEHAVED = "wellbehaved";

    static final String WELL_BEHAVED_PEER = "wellbehaved-peer";

    /** How long one round trip of the well-behaved client may take, before scaling. */
    private static final Duration ROUND_TRIP_BOUND = Duration.ofSeconds(3);

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Protocol protocol;
    private final HostileAct act;
    private WellBehavedClient wellBehaved;

    public WellBehavedSteps(ScenarioContext ctx, Clients clients, Protocol protocol, HostileAct act) {
        this.ctx = ctx;
        this.clients = clients;
        this.protocol = protocol;
        this.act = act;
    }

    @Given("a well-behaved client is online and keeps exchanging messages with another")
    public void wellBehavedOnline() {
        WireClient a = clients.connect(WELL_BEHAVED);
        protocol.authenticate(a, "OK registered");
        WireClient b = clients.connect(WELL_BEHAVED_PEER);
        protocol.authenticate(b, "OK registered");
        wellBehaved = new WellBehavedClient(a, WELL_BEHAVED, b, WELL_BEHAVED_PEER, ctx.scaled(ROUND_TRIP_BOUND));
        Optional<String> first = wellBehaved.roundTrip();
        ctx.check(first.isEmpty(), "the well-behaved client's first round trip (PING, SEND to its partner) works",
                first.orElse(""));
        wellBehaved.start();
    }

    @Then("the well-behaved client was served throughout, and still is")
    public void wellBehavedServed() {
        if (wellBehaved == null) {
            throw new IllegalStateException("the scenario has no well-behaved client");
        }
        wellBehaved.stop();
        act.endsIfRunning();
        List<WellBehavedClient.RoundTrip> trips = wellBehaved.trips();
        String bound = wellBehaved.bound().toMillis() + " ms";
        ctx.check(wellBehaved.failure().isEmpty(), "while the hostile client acts, the well-behaved client's every"
                + " round trip (PING answered PONG, a SEND answered OK delivered and received by its partner)"
                + " completes within " + bound, wellBehaved.failure().orElse(""));
        long maxMillis = trips.stream().mapToLong(t -> t.took().toMillis()).max().orElse(0);
        long during = trips.stream().filter(t -> t.start() >= act.start() && t.start() <= act.end()).count();
        long actMillis = (act.end() - act.start()) / 1_000_000;
        if (act.start() != 0 && act.end() - act.start() > wellBehaved.bound().toNanos()) {
            ctx.check(during > 0, "the well-behaved client completes round trips while the hostile act lasts ("
                    + actMillis + " ms)", "no round trip started in that time; " + trips.size() + " in all");
        }
        Optional<String> after = wellBehaved.roundTrip();
        ctx.check(after.isEmpty(), "after the hostile act the well-behaved client is still served within " + bound,
                after.orElse(""));
        ctx.scenario().log("well-behaved client: " + (trips.size() + 1) + " round trips, " + during
                + " started during the hostile act (" + actMillis + " ms), slowest " + maxMillis + " ms");
    }

    @After(order = 30)
    public void releaseWellBehaved() {
        if (wellBehaved != null) {
            wellBehaved.stop();
        }
    }
}

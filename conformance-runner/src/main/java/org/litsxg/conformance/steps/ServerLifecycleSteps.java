package org.litsxg.conformance.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.litsxg.conformance.support.ProcessTimes;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;

/**
 * Steps that start, stop, signal, kill, upgrade and roll back the scenario's server, and check
 * how its process ended.
 */
public final class ServerLifecycleSteps {

    private final ScenarioContext ctx;
    private final Servers servers;
    private Optional<Integer> lastExit = Optional.empty();
    /** When the kit sent the last signal (after kill(1) returned), for "exits at once". */
    private long signalledAt;

    public ServerLifecycleSteps(ScenarioContext ctx, Servers servers) {
        this.ctx = ctx;
        this.servers = servers;
    }

    @When("the server is started")
    @When("the server is started again")
    public void started() {
        servers.start(ctx.server());
    }

    @When("the server is stopped")
    public void stopped() {
        lastExit = servers.stop(ctx.server());
    }

    @When("the server is restarted")
    public void restarted() {
        ServerInstance s = ctx.server();
        lastExit = servers.stop(s);
        servers.recordStoreBefore("restart");
        servers.start(s);
    }

    @When("the server receives {word}")
    public void receivesSignal(String signal) {
        ServerProcess p = servers.running().current();
        try {
            switch (signal) {
                case "SIGTERM" -> p.signal("TERM");
                case "SIGINT" -> p.signal("INT");
                case "SIGHUP" -> p.signal("HUP");
                default -> throw new IllegalArgumentException("the kit sends SIGTERM, SIGINT or SIGHUP, not " + signal);
            }
            signalledAt = System.nanoTime();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @When("the server process is killed")
    public void killed() {
        lastExit = servers.running().current().kill();
    }

    /**
     * PROC-15, PROC-16: SIGKILL to the process holding the listening socket, and to nothing else
     * (not its parent, not its children): what survives it is what those clauses look for.
     */
    @When("the process holding the server's listening socket is killed")
    public void listenerKilled() {
        ServerInstance s = servers.running();
        ProcessHandle killed = s.current().killListener(s.port());
        ctx.scenario().log("the kit killed pid " + killed.pid() + " (the holder of the listening socket on port "
                + s.port() + ") and nothing else");
    }

    @When("the server process is killed and started again")
    public void killedAndStarted() {
        ServerInstance s = servers.running();
        lastExit = s.current().kill();
        servers.recordStoreBefore("restart");
        servers.start(s);
    }

    @When("the server is upgraded to the build under test")
    public void upgraded() {
        ServerInstance s = ctx.server();
        lastExit = servers.stop(s);
        servers.recordStoreBefore("restart");
        s.template(ctx.settings().server());
        servers.start(s);
    }

    @When("the server is rolled back to the previous build")
    public void rolledBack() {
        ServerInstance s = ctx.server();
        lastExit = servers.stop(s);
        s.template(servers.previousBuild());
        ServerProcess p = servers.launch(s, List.of());
        p.awaitAccepting(s.address(), ctx.settings().startupTimeout());
    }

    @When("the server is started with operator commands on its standard input")
    public void startedWithStdin() {
        ServerInstance s = ctx.server();
        ServerProcess p = servers.launch(s, List.of(),
                "quit\nstop\nshutdown\nexit\nQUIT\n\u0004".getBytes(StandardCharsets.UTF_8));
        if (!p.awaitAccepting(s.address(), ctx.settings().startupTimeout())) {
            throw ctx.failure("the server starts and serves with input on its stdin",
                    "it did not accept connections; " + p.exitStatus().map(x -> "exit status " + x).orElse("running"));
        }
    }

    @Then("the server exits with status {int}")
    public void exitsWith(int expected) {
        ServerProcess p = servers.current();
        Optional<Integer> status = p.awaitExit(ctx.settings().stopTimeout());
        ctx.check(status.isPresent() && status.get() == expected, "exit status " + expected,
                status.map(s -> "exit status " + s).orElse("still running after "
                        + ctx.settings().stopTimeout().toMillis() + " ms"));
        if (signalledAt != 0) {
            // PROC-13: "exits" on a signal means at once: within 5 s x timescale of the signal.
            Duration bound = ctx.settings().scaled(ProcessTimes.AT_ONCE_EXIT);
            long took = Math.max(0, p.exitedAt().orElse(System.nanoTime()) - signalledAt);
            ctx.observe("measured: exit " + ProcessTimes.seconds(took)
                    + " after the signal (bound " + ProcessTimes.seconds(bound.toNanos()) + ")");
            ctx.check(took <= bound.toNanos(), "the exit within " + ProcessTimes.seconds(bound.toNanos())
                            + " of the signal (5 s x timescale)",
                    "it exited " + ProcessTimes.seconds(took) + " after the signal");
        }
    }

    @Then("the server exited with status {int}")
    public void exitedWith(int expected) {
        ctx.check(lastExit.isPresent() && lastExit.get() == expected, "exit status " + expected,
                lastExit.map(s -> "exit status " + s).orElse("it did not exit within the stop timeout"));
    }

    @Then("the server has exited")
    public void hasExited() {
        ServerProcess p = servers.current();
        Optional<Integer> status = p.awaitExit(ctx.settings().stopTimeout());
        ctx.check(status.isPresent(), "the server process has exited", "it is still running");
    }
}

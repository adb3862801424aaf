package org.litsxg.conformance.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.litsxg.conformance.support.CommandTemplate;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.Unimplemented;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps for the flag syntax and the start and stop bounds of spec 1.1 (PROC-19 to PROC-22,
 * PROC-24): how a flag is written, what a second copy of it or a stray argument does, and how
 * soon a signalled server has exited. The argument vector is the build's own template, changed
 * only in the one word the scenario is about.
 */
public final class FlagSteps {

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Clients clients;
    private final Secrets secrets;

    public FlagSteps(ScenarioContext ctx, Servers servers, Clients clients, Secrets secrets) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
        this.secrets = secrets;
    }

    private String flagOf(String placeholder, String why) {
        ctx.require(placeholder, why);
        return ctx.settings().server().flagOf(placeholder).orElseThrow(() -> new Unimplemented(
                "the server command template gives {" + placeholder + "} no --flag the kit could " + why));
    }

    @When("the server is started with its {word} flag written as --flag=value")
    public void startedJoined(String placeholder) {
        flagOf(placeholder, "write as --flag=value");
        CommandTemplate joined = ctx.settings().server().joined(placeholder).orElseThrow();
        ServerInstance s = ctx.server();
        s.template(joined);
        servers.launch(s, List.of());
    }

    @When("the server is started with its {word} flag given twice")
    public void startedTwice(String placeholder) {
        String flag = flagOf(placeholder, "give twice");
        ServerInstance s = ctx.server();
        // The same value again: only the repetition is wrong.
        String value = s.argv().get(s.argv().indexOf(flag) + 1);
        servers.launch(s, List.of(flag, value));
    }

    @When("the server is started with its {word} flag last and without a value")
    public void startedWithoutValue(String placeholder) {
        String flag = flagOf(placeholder, "leave without a value");
        CommandTemplate without = ctx.settings().server().without(placeholder).orElseThrow();
        ServerInstance s = ctx.server();
        s.template(without);
        servers.launch(s, List.of(flag));
    }

    @When("the server is started with the extra argument {string}")
    public void startedWithExtra(String argument) {
        servers.launch(ctx.server(), List.of(argument));
    }

    @When("the server is started with a data directory path below a regular file")
    public void startedBelowFile() {
        ServerInstance s = ctx.server();
        try {
            Files.createDirectories(s.dataDir().getParent());
            Files.writeString(s.dataDir(), "a regular file, where the data directory's parent should be\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        s.dataDir(s.dataDir().resolve("data"));
        servers.launch(s, List.of());
    }

    @When("the server is started on a data directory whose identities.db is an empty file")
    public void startedOnEmptyDatabaseFile() {
        ServerInstance s = ctx.server();
        try {
            Files.createDirectories(s.dataDir());
            Files.write(s.dataDir().resolve("identities.db"), new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        servers.launch(s, List.of());
    }

    /** STORE-17: whatever the build does is recorded, never judged. */
    @Then("the kit records whether the server started and registered a new name")
    public void recordStartAndRegistration() {
        ServerInstance s = ctx.server();
        ServerProcess p = s.current();
        Optional<String> ready = p.stdout().awaitLine(l -> l.startsWith(ReadyLine.PREFIX),
                ctx.settings().startupTimeout(), () -> !p.isAlive());
        if (ready.isEmpty()) {
            Optional<Integer> status = p.awaitExit(ctx.settings().stopTimeout());
            ctx.observe("the build did not start: " + status.map(st -> "exit status " + st).orElse("no ready line")
                    + "; stderr: " + p.stderr().lines());
            return;
        }
        String rest = ready.get().substring(ReadyLine.PREFIX.length());
        s.port(Integer.parseInt(rest.substring(rest.lastIndexOf(':') + 1)));
        WireClient c = clients.connect("alice");
        clients.sendLine(c, "AUTH alice " + secrets.secret("alice"));
        Received r = c.nextReply(ctx.settings().replyTimeout());
        ctx.observe("the build started on the empty file; AUTH of a new name got " + r);
    }

    /** PROC-9: a build that cannot start has exited within 5 s (× timescale) of its launch. */
    @Then("the server exits with status {int} within {int} seconds of its launch")
    public void exitsWithinOfLaunch(int expected, int seconds) {
        ServerProcess p = ctx.server().current();
        Duration bound = ctx.scaled(Duration.ofSeconds(seconds));
        // The launch was the step before: waiting the whole bound from here is a little lenient,
        // never strict.
        Optional<Integer> status = p.awaitExit(bound);
        ctx.check(status.isPresent() && status.get() == expected,
                "exit status " + expected + " within " + bound.toMillis() + " ms of the launch",
                status.map(st -> "exit status " + st).orElse("still running after " + bound.toMillis() + " ms")
                        + "; stderr: " + p.stderr().lines());
    }

    @Then("the server has exited with status {int} within {int} seconds of the signal")
    public void exitedWithin(int expected, int seconds) {
        ServerProcess p = ctx.server().current();
        Duration bound = ctx.scaled(Duration.ofSeconds(seconds));
        Optional<Integer> status = p.awaitExit(bound);
        ctx.check(status.isPresent() && status.get() == expected,
                "exit status " + expected + " within " + bound.toMillis() + " ms of the signal",
                status.map(st -> "exit status " + st).orElse("still running after " + bound.toMillis() + " ms")
                        + "; stderr: " + p.stderr().lines());
    }
}

package org.litsxg.conformance.steps;

import io.cucumber.java.After;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.litsxg.conformance.support.ProcessTimes;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;

/**
 * Steps about a server that cannot start (PROC-9, PROC-11): the causes the kit sets up (a busy
 * port, an unknown flag, a bad value, a data directory that is a file, a database that is not
 * one, a second server on the same port or data directory), and the exit, stdout and stderr
 * such a start must show.
 */
public final class FailedStartSteps {

    private final ScenarioContext ctx;
    private final Servers servers;
    private ServerSocket occupier;

    public FailedStartSteps(ScenarioContext ctx, Servers servers) {
        this.ctx = ctx;
        this.servers = servers;
    }

    @When("the server is started on a port that is already in use")
    public void startedOnBusyPort() {
        ServerInstance s = ctx.server();
        try {
            occupier = new ServerSocket();
            occupier.bind(new InetSocketAddress(s.bind(), s.port()));
        } catch (IOException e) {
            throw new UncheckedIOException("the kit cannot occupy port " + s.port(), e);
        }
        servers.launch(s, List.of());
    }

    @When("the server is started with an unknown flag")
    public void startedWithUnknownFlag() {
        servers.launch(ctx.server(), List.of("--no-such-flag-in-litsxg"));
    }

    @When("the server is started with {word} set to {string}")
    public void startedWithValue(String placeholder, String value) {
        ctx.require(placeholder, "give it the value \"" + value + "\"");
        ctx.server().set(placeholder, value);
        servers.launch(ctx.server(), List.of());
    }

    @When("the server is started with a data directory that is a regular file")
    public void startedWithFileAsDataDir() {
        ServerInstance s = ctx.server();
        try {
            Files.writeString(s.dataDir(), "not a directory\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        servers.launch(s, List.of());
    }

    @When("the server is started with an identities.db that is not a SQLite database")
    public void startedWithGarbageDatabase() {
        ServerInstance s = ctx.server();
        try {
            Files.createDirectories(s.dataDir());
            Files.writeString(s.dataDir().resolve("identities.db"),
                    "this is not a SQLite database, it is a text file written by the conformance kit\n".repeat(50));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        servers.launch(s, List.of());
    }

    @When("a second server is started on the same data directory")
    public void secondOnSameDataDir() {
        ServerInstance second = ctx.instance("second server");
        second.dataDir(ctx.server().dataDir());
        servers.launch(second, List.of());
    }

    @When("a second server is started on the same port")
    public void secondOnSamePort() {
        ServerInstance second = ctx.instance("second server");
        second.port(ctx.server().port());
        servers.launch(second, List.of());
    }

    /**
     * Waits for a build that cannot start to exit (the kit's startup timeout is the outer bound)
     * and judges the exit at the spec's 5 s x timescale from the launch, printing the figure.
     */
    private Optional<Integer> awaitFailedStartExit(ServerProcess p, String who) {
        Optional<Integer> status = p.awaitExit(ctx.settings().startupTimeout());
        Duration bound = ctx.settings().scaled(ProcessTimes.FAILED_START_EXIT);
        if (status.isEmpty()) {
            throw ctx.failure(who + " exits within " + ProcessTimes.seconds(bound.toNanos())
                            + " of its launch (5 s x timescale)", "still running after "
                            + ctx.settings().startupTimeout().toMillis() + " ms; stderr: " + p.stderr().lines());
        }
        long took = p.exitedAt().orElse(System.nanoTime()) - p.startedAt();
        ctx.observe("measured: " + who + " exited " + ProcessTimes.seconds(took)
                + " after its launch (bound " + ProcessTimes.seconds(bound.toNanos()) + ")");
        ctx.check(took <= bound.toNanos(), who + " exits at once: within " + ProcessTimes.seconds(bound.toNanos())
                        + " of its launch (5 s x timescale)",
                "it exited (status " + status.get() + ") " + ProcessTimes.seconds(took) + " after its launch");
        return status;
    }

    @Then("the server exits at once with status {int}")
    public void exitsAtOnceWith(int expected) {
        ServerProcess p = servers.current();
        Optional<Integer> status = awaitFailedStartExit(p, "the server");
        ctx.check(status.get() == expected, "exit status " + expected,
                "exit status " + status.get() + "; stderr: " + p.stderr().lines());
    }

    @Then("the second server exits at once with status {int}")
    public void secondExitsAtOnceWith(int expected) {
        ServerProcess p = ctx.instance("second server").current();
        Optional<Integer> status = awaitFailedStartExit(p, "the second server");
        ctx.check(status.get() == expected, "the second server exits with status " + expected,
                "exit status " + status.get() + "; stderr: " + p.stderr().lines());
    }

    @Then("the server exits at once with a non-zero status")
    public void exitsAtOnceNonZero() {
        ServerProcess p = servers.current();
        Optional<Integer> status = awaitFailedStartExit(p, "the server");
        ctx.check(status.get() != 0, "a non-zero exit status", "exit status " + status.get());
    }

    @Then("the server printed no ready line")
    public void noReadyLine() {
        noReadyLine(servers.current());
    }

    @Then("the second server printed no ready line")
    public void secondNoReadyLine() {
        noReadyLine(ctx.instance("second server").current());
    }

    private void noReadyLine(ServerProcess p) {
        List<String> ready = p.stdout().lines().stream().filter(ReadyLine::is).toList();
        ctx.check(ready.isEmpty(), "no ready line on stdout", "stdout: " + p.stdout().lines());
    }

    @Then("the server wrote exactly one line to stderr")
    public void oneStderrLine() {
        oneStderrLine(servers.current());
    }

    @Then("the second server wrote exactly one line to stderr")
    public void secondOneStderrLine() {
        oneStderrLine(ctx.instance("second server").current());
    }

    private void oneStderrLine(ServerProcess p) {
        List<String> lines = p.stderr().lines();
        ctx.check(lines.size() == 1, "exactly one line on stderr", lines.size() + " lines: " + lines);
    }

    @Then("that line names the data directory")
    public void stderrNamesDataDir() {
        ServerProcess p = ctx.instance("second server").current();
        String dir = ctx.server().dataDir().toString();
        String line = String.join("\n", p.stderr().lines());
        ctx.check(line.contains(dir) || line.contains(ctx.server().dataDir().getFileName().toString() + "")
                        && line.contains(ctx.server().dataDir().getParent().getFileName().toString()),
                "the stderr line names the data directory " + dir, "stderr: " + line);
    }

    /** Closes the socket the kit held to keep a port busy. */
    @After(order = 10)
    public void releasePort() throws IOException {
        if (occupier != null) {
            occupier.close();
        }
    }
}

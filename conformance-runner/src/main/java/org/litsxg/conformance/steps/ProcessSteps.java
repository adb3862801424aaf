package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.StoreSnapshot;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps about the process as an operator sees it: defaults, flags, limits, a killed process, and
 * the "records" of informational clauses about the process and its monitoring.
 */
public final class ProcessSteps {

    /** The limit placeholders PROC-3 asks a build to offer. */
    static final List<String> LIMITS = List.of("max_queued", "max_connections", "auth_timeout", "max_pending_bytes");

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Clients clients;

    public ProcessSteps(ScenarioContext ctx, Servers servers, Clients clients) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
    }

    @Then("the server's working directory holds litsxg-data\\/identities.db")
    public void defaultDataDir() {
        Path db = ctx.server().workDir().resolve("litsxg-data").resolve(StoreSnapshot.DATABASE);
        ctx.check(Files.isRegularFile(db), "./litsxg-data/identities.db in the server's working directory",
                "no such file; the working directory holds " + list(ctx.server().workDir()));
    }

    @Then("the data directory exists and holds identities.db")
    public void dataDirExists() {
        Path dir = ctx.server().dataDir();
        ctx.check(Files.isRegularFile(dir.resolve(StoreSnapshot.DATABASE)), dir + "/identities.db exists",
                Files.isDirectory(dir) ? "the directory holds " + list(dir) : "the directory does not exist");
    }

    private static List<String> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of("(unreadable: " + e.getMessage() + ")");
        }
    }

    @Given("the build's command line can set every limit")
    public void canSetLimits() {
        List<String> missing = LIMITS.stream().filter(p -> !ctx.settings().server().has(p)).toList();
        ctx.check(missing.isEmpty(), "the command template carries " + LIMITS.stream().map(p -> "{" + p + "}").toList(),
                "it lacks " + missing + ": " + ctx.settings().server());
    }

    @When("the server is started with non-default limits")
    public void nonDefaultLimits() {
        ServerInstance s = ctx.server();
        s.set("max_queued", "77");
        s.set("max_connections", "99");
        s.set("auth_timeout", "45");
        s.set("max_pending_bytes", "300000");
        servers.start(s);
    }

    @Then("the kit records which words of the build's command line are not Litsxg's documented flags")
    public void recordFlags() {
        Set<String> documented = Set.of("--bind", "--port", "--data-dir", "--max-queued", "--max-connections",
                "--auth-timeout", "--max-pending-bytes");
        List<String> argv = ctx.server().current().argv();
        List<String> other = new ArrayList<>();
        for (String w : argv) {
            String flag = w.contains("=") ? w.substring(0, w.indexOf('=')) : w;
            if (flag.startsWith("--") && !documented.contains(flag)) {
                other.add(flag);
            }
        }
        ctx.observe(other.isEmpty() ? "the command line uses only the documented flags"
                : "further flags on the command line: " + other);
    }

    @Given("the server process has been killed")
    public void hasBeenKilled() {
        servers.running().current().kill();
    }

    @Then("the kit records whether the server still runs and serves")
    public void recordRunning() {
        ServerInstance s = ctx.server();
        ServerProcess p = s.current();
        Optional<Integer> exit = p.awaitExit(ctx.settings().quietPeriod());
        if (exit.isPresent()) {
            ctx.observe("the server exited with status " + exit.get() + "; stderr: " + p.stderr().lines());
            return;
        }
        boolean serves;
        try (WireClient c = WireClient.connect("probe", s.address(), ctx.settings().replyTimeout(), System.nanoTime())) {
            c.send("PING");
            Received r = c.next(ctx.settings().replyTimeout());
            serves = r instanceof Received.Line l && l.text().equals("PONG");
        } catch (IOException e) {
            serves = false;
        }
        ctx.observe("the server still runs" + (serves ? " and answers PING" : " but does not answer PING"));
    }

    @When("a monitor connects and sends {string}")
    public void monitor(String line) {
        WireClient c = clients.connect("monitor");
        clients.sendLine(c, line);
    }

    @Then("the kit records the monitor's reply")
    public void recordMonitor() {
        Received r = clients.client("monitor").next(ctx.settings().replyTimeout());
        ctx.observe("an external liveness check got " + r);
    }
}

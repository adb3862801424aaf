package org.litsxg.conformance.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.litsxg.conformance.support.ProcessTimes;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.Unimplemented;

/**
 * Steps about the ready line (PROC-8): when it comes, what the data directory holds when it
 * comes, and the address and port it names, the address in its canonical text
 * ({@link AddressText}).
 */
public final class ReadyLineSteps {

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Protocol protocol;
    /** The data directory's entries, listed on the drain thread as the ready line was read. */
    private volatile String[] dataDirAtReady;
    /** Whether identities.db was a regular file, non-empty or openable, as the ready line was read. */
    private volatile String dbAtReady;

    public ReadyLineSteps(ScenarioContext ctx, Servers servers, Protocol protocol) {
        this.ctx = ctx;
        this.servers = servers;
        this.protocol = protocol;
    }

    @When("the server is started with port 0")
    public void startedWithPortZero() {
        ServerInstance s = ctx.server();
        s.set("port", "0");
        servers.launch(s, List.of());
    }

    @When("the server is started bound to {string}")
    public void startedBoundTo(String address) {
        ctx.require("bind", "bind the server to " + address);
        if (address.contains(":")) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress(address, 0));
            } catch (IOException e) {
                throw new Unimplemented("this machine cannot bind " + address + ": " + e.getMessage());
            }
        }
        ServerInstance s = ctx.server();
        s.set("bind", address);
        servers.start(s);
    }

    @When("the server is started and the kit waits for its ready line")
    public void startedAwaitReady() {
        ServerInstance s = ctx.server();
        Path dir = s.dataDir();
        // PROC-6: the data directory is looked at on the kit's drain thread the moment the ready
        // line is read, before anything else; a database created a moment later is not there.
        ServerProcess p = servers.launch(s, List.of(), null, l -> {
            if (l.startsWith(ReadyLine.PREFIX) && dataDirAtReady == null) {
                String[] entries = dir.toFile().list();
                Path db = dir.resolve("identities.db");
                dbAtReady = !Files.exists(db) ? "missing" : Files.isRegularFile(db) ? "a file" : "not a regular file";
                dataDirAtReady = entries == null ? new String[0] : entries;
                if (entries == null) {
                    dbAtReady = "the data directory did not exist";
                }
            }
        });
        Optional<String> line = p.stdout().awaitLine(ReadyLine::is, ctx.settings().startupTimeout(),
                () -> !p.isAlive());
        ctx.check(line.isPresent(), "a ready line \"" + ReadyLine.PREFIX + "<address>:<port>\" on stdout within "
                        + ctx.settings().startupTimeout().toMillis() + " ms, with no client connecting",
                "stdout: " + p.stdout().lines() + "; " + p.exitStatus().map(x -> "exited " + x).orElse("running"));
    }

    @Then("the data directory held identities.db when the ready line appeared")
    public void dbAtReady() {
        ctx.check("a file".equals(dbAtReady), "the data directory exists and holds the file identities.db at the "
                        + "moment the ready line is read (looked at by the kit as it read the line)",
                dbAtReady == null ? "no ready line was read" : "identities.db: " + dbAtReady + "; the directory held "
                        + Arrays.toString(dataDirAtReady));
    }

    @Then("the ready line came within the spec's start bound of the launch")
    public void readyWithinBound() {
        ServerProcess p = servers.current();
        Duration bound = ctx.settings().scaled(ProcessTimes.READY);
        Optional<Long> at = p.stdout().firstLineAt(ReadyLine::is);
        ctx.check(at.isPresent(), "a ready line on stdout", "stdout: " + p.stdout().lines());
        long took = at.get() - p.startedAt();
        ctx.observe("measured: ready line " + ProcessTimes.seconds(took)
                + " after the launch (bound " + ProcessTimes.seconds(bound.toNanos()) + ")");
        ctx.check(took <= bound.toNanos(), "the ready line within " + ProcessTimes.seconds(bound.toNanos())
                        + " of the launch, on an empty data directory (5 s x timescale "
                        + ctx.settings().timescale() + ")",
                "it came " + ProcessTimes.seconds(took) + " after the launch");
    }

    @Then("the server's stdout is exactly its ready line")
    public void stdoutIsReadyLine() {
        ServerInstance s = ctx.server();
        ServerProcess p = s.current();
        // Accepting connections can come a moment before the ready line reaches the kit: wait for it.
        p.stdout().awaitLine(ReadyLine::is, ctx.settings().replyTimeout(), () -> !p.isAlive());
        List<String> lines = p.stdout().lines();
        String expected = ReadyLine.PREFIX + ReadyLine.literal(s.bind()) + ":" + s.port();
        ctx.check(lines.equals(List.of(expected)), "stdout holds exactly one line: " + expected, "stdout: " + lines);
    }

    @Then("the ready line names the address {string} and the port the server bound")
    public void readyLineNames(String address) {
        ServerInstance s = ctx.server();
        ServerProcess p = s.current();
        Optional<String> line = p.stdout().awaitLine(ReadyLine::is, ctx.settings().startupTimeout(),
                () -> !p.isAlive());
        ctx.check(line.isPresent(), "a ready line \"" + ReadyLine.PREFIX + address + ":<port>\"",
                "stdout: " + p.stdout().lines());
        ReadyLine.Named named = ReadyLine.parse(line.get());
        List<String> broken = AddressText.violations(named.host());
        ctx.check(ReadyLine.sameAddress(named.host(), address) && named.port().matches("[1-9][0-9]{0,4}"),
                "a ready line \"" + ReadyLine.PREFIX + address + ":<port>\" (the address in canonical form:"
                        + " dotted quad, or RFC 5952 in brackets)",
                "stdout: " + p.stdout().lines() + (broken.isEmpty() ? "" : "; its address breaks " + broken));
        int bound = Integer.parseInt(named.port());
        if (!"0".equals(s.get("port"))) {
            ctx.check(bound == s.port(), "the port in the ready line is " + s.port(), line.get());
        }
        s.port(bound);
    }

    @Then("the ready line names the address {string} and the port {int}")
    public void readyLineNamesPort(String address, int port) {
        ServerProcess p = ctx.server().current();
        Optional<String> line = p.stdout().awaitLine(ReadyLine::is, ctx.settings().startupTimeout(),
                () -> !p.isAlive());
        String expected = ReadyLine.PREFIX + address + ":" + port;
        ctx.check(line.isPresent() && line.get().equals(expected), "the ready line \"" + expected + "\"",
                "stdout: " + p.stdout().lines());
    }

    @Then("the server serves on the port its ready line names")
    public void servesOnReadyPort() {
        ServerInstance s = ctx.server();
        ServerProcess p = s.current();
        Optional<String> line = p.stdout().awaitLine(ReadyLine::is, ctx.settings().startupTimeout(),
                () -> !p.isAlive());
        ctx.check(line.isPresent(), "a ready line on stdout", "stdout: " + p.stdout().lines());
        int port = Integer.parseInt(ReadyLine.parse(line.get()).port());
        ctx.check(port != 0, "the ready line names the port actually bound, not 0", line.get());
        s.port(port);
        protocol.pingOnce(s, "a client connecting to the port of the ready line is served");
    }
}

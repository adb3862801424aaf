package org.litsxg.conformance.steps;

import static org.awaitility.Awaitility.await;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.awaitility.core.ConditionTimeoutException;
import org.litsxg.conformance.support.CommandTemplate;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.Unimplemented;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps that configure, start, stop, signal and observe the server process: its limits (set
 * through the command template's placeholders), its exit status, its stdout and stderr.
 */
public final class ServerSteps {

    /** The ready line's prefix (PROC-8). */
    static final String READY = "litsxg listening on ";

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Clients clients;
    private ServerSocket occupier;
    private Optional<Integer> lastExit = Optional.empty();
    /** The data directory's entries, listed on the drain thread as the ready line was read. */
    private volatile String[] dataDirAtReady;
    /** Whether identities.db was a regular file, non-empty or openable, as the ready line was read. */
    private volatile String dbAtReady;
    /** When the kit sent the last signal (after kill(1) returned), for "exits at once". */
    private long signalledAt;

    public ServerSteps(ScenarioContext ctx, Servers servers, Clients clients) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
    }

    // ------------------------------------------------------------------ configuration

    @Given("the server is running")
    public void running() {
        servers.running();
    }

    @Given("the server is running with log level {word}")
    public void runningWithLogLevel(String level) {
        servers.configure("log_level", level, "set the log level to " + level);
        servers.running();
    }

    @Given("the server is configured with an auth timeout of {int} second(s)")
    public void authTimeout(int seconds) {
        servers.configure("auth_timeout", Integer.toString(seconds), "set an auth timeout of " + seconds + " s");
    }

    @Given("the server is configured with a queue limit of {int} message(s)")
    public void queueLimit(int n) {
        servers.configure("max_queued", Integer.toString(n), "set a queue limit of " + n);
    }

    @Given("the server is configured with a connection limit of {int}")
    public void connectionLimit(int n) {
        servers.configure("max_connections", Integer.toString(n), "set a connection limit of " + n);
    }

    @Given("the server is configured with a pending output limit of {int} bytes")
    public void pendingLimit(int n) {
        servers.configure("max_pending_bytes", Integer.toString(n), "set a pending output limit of " + n + " bytes");
    }

    @Given("the server is configured with log level {word}")
    public void logLevel(String level) {
        servers.configure("log_level", level, "set the log level to " + level);
    }

    @Given("the server runs the previous build")
    public void previousBuild() {
        ctx.server().template(servers.previousBuild());
        servers.running();
    }

    @Given("a second server is running with its own port and data directory")
    public void secondServer() {
        servers.start(ctx.instance("second server"));
    }

    // ------------------------------------------------------------------ lifecycle

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

    @Then("for 3 seconds nothing of the server runs or listens on its port")
    public void nothingOfItRuns() {
        ServerInstance s = ctx.server();
        ServerProcess p = s.current();
        Duration watch = ctx.settings().scaled(org.litsxg.conformance.support.ProcessTimes.RESTARTER_WATCH);
        long t0 = System.nanoTime();
        try {
            await("nothing listens on " + s.address()).during(watch).atMost(watch.plusSeconds(2))
                    .pollInterval(Duration.ofMillis(50)).until(() -> !ServerProcess.canConnect(s.address()));
        } catch (ConditionTimeoutException e) {
            throw ctx.failure("nothing accepts connections on " + s.address() + " for "
                            + org.litsxg.conformance.support.ProcessTimes.seconds(watch.toNanos())
                            + " after the process holding the listening socket was killed (no restarter)",
                    "a connection was accepted within " + org.litsxg.conformance.support.ProcessTimes.seconds(
                            System.nanoTime() - t0) + " of the kill; " + listeners(s.port()));
        }
        List<String> alive = p.survivors().stream()
                .map(h -> h.pid() + " " + h.info().commandLine().orElse(h.info().command().orElse("?"))).toList();
        ctx.check(alive.isEmpty(), "no process of the server's tree runs any more once the process holding its "
                        + "listening socket has ended (watched " + org.litsxg.conformance.support.ProcessTimes
                        .seconds(watch.toNanos()) + ")", "still running: " + alive);
        ctx.observe("measured: the port stayed closed and no process of the build ran for "
                + org.litsxg.conformance.support.ProcessTimes.seconds(watch.toNanos()) + " after the kill");
    }

    private static String listeners(int port) {
        return "sockets listening on port " + port + " (/proc/net/tcp inodes): " + ServerProcess.listeningInodes(port);
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

    @When("the server is started without the flag for {word}")
    public void startedWithout(String placeholder) {
        if (placeholder.equals("port")) {
            startedWithoutPort();
            return;
        }
        CommandTemplate without = ctx.settings().server().without(placeholder).orElseThrow(() -> new Unimplemented(
                "the server command template has no --flag {" + placeholder + "} the kit could leave out"));
        ServerInstance s = ctx.server();
        s.template(without);
        servers.start(s);
    }

    /** Without --port the build must listen on 7667; checked only while 7667 is free here. */
    private void startedWithoutPort() {
        CommandTemplate without = ctx.settings().server().without("port").orElseThrow(() -> new Unimplemented(
                "the server command template has no --flag {port} the kit could leave out"));
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress("127.0.0.1", 7667));
        } catch (IOException e) {
            throw new Unimplemented("port 7667 is in use on this machine, so the default port cannot be checked");
        }
        ServerInstance s = ctx.server();
        s.template(without);
        s.port(7667);
        servers.start(s);
    }

    @Then("the server cannot be reached on any address but 127.0.0.1")
    public void onlyLoopback() throws java.net.SocketException {
        ServerInstance s = ctx.server();
        List<java.net.InetAddress> others = new java.util.ArrayList<>();
        try {
            others.add(java.net.InetAddress.getByName("127.0.0.2"));
            others.add(java.net.InetAddress.getByName("::1"));
        } catch (java.net.UnknownHostException e) {
            throw new UncheckedIOException(e);
        }
        for (java.net.NetworkInterface ni : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (java.net.InetAddress a : java.util.Collections.list(ni.getInetAddresses())) {
                if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    others.add(a);
                }
            }
        }
        List<String> reached = others.stream()
                .filter(a -> ServerProcess.canConnect(new InetSocketAddress(a, s.port())))
                .map(java.net.InetAddress::getHostAddress).toList();
        ctx.check(reached.isEmpty(), "no connection accepted on " + others.stream()
                        .map(java.net.InetAddress::getHostAddress).toList() + " port " + s.port(),
                "accepted on " + reached);
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

    @When("the server is started with a data directory path whose parents do not exist")
    public void startedWithNestedDataDir() {
        ServerInstance s = ctx.server();
        s.dataDir(s.workDir().resolve("nested").resolve("deeper").resolve("data"));
        servers.start(s);
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

    @When("the server is started and the kit waits for its ready line")
    public void startedAwaitReady() {
        ServerInstance s = ctx.server();
        Path dir = s.dataDir();
        // PROC-6: the data directory is looked at on the kit's drain thread the moment the ready
        // line is read, before anything else; a database created a moment later is not there.
        ServerProcess p = servers.launch(s, List.of(), null, l -> {
            if (l.startsWith(READY) && dataDirAtReady == null) {
                String[] entries = dir.toFile().list();
                Path db = dir.resolve("identities.db");
                dbAtReady = !Files.exists(db) ? "missing" : Files.isRegularFile(db) ? "a file" : "not a regular file";
                dataDirAtReady = entries == null ? new String[0] : entries;
                if (entries == null) {
                    dbAtReady = "the data directory did not exist";
                }
            }
        });
        Optional<String> line = p.stdout().awaitLine(l -> l.startsWith(READY), ctx.settings().startupTimeout(),
                () -> !p.isAlive());
        ctx.check(line.isPresent(), "a ready line \"" + READY + "<address>:<port>\" on stdout within "
                        + ctx.settings().startupTimeout().toMillis() + " ms, with no client connecting",
                "stdout: " + p.stdout().lines() + "; " + p.exitStatus().map(x -> "exited " + x).orElse("running"));
    }

    // ------------------------------------------------------------------ observations

    private ServerProcess current() {
        ServerProcess p = ctx.server().current();
        if (p == null) {
            throw new IllegalStateException("the scenario started no server");
        }
        return p;
    }

    @Then("the data directory held identities.db when the ready line appeared")
    public void dbAtReady() {
        ctx.check("a file".equals(dbAtReady), "the data directory exists and holds the file identities.db at the "
                        + "moment the ready line is read (looked at by the kit as it read the line)",
                dbAtReady == null ? "no ready line was read" : "identities.db: " + dbAtReady + "; the directory held "
                        + java.util.Arrays.toString(dataDirAtReady));
    }

    @Then("the ready line came within the spec's start bound of the launch")
    public void readyWithinBound() {
        ServerProcess p = current();
        Duration bound = ctx.settings().scaled(org.litsxg.conformance.support.ProcessTimes.READY);
        Optional<Long> at = p.stdout().firstLineAt(l -> l.startsWith(READY));
        ctx.check(at.isPresent(), "a ready line on stdout", "stdout: " + p.stdout().lines());
        long took = at.get() - p.startedAt();
        ctx.observe("measured: ready line " + org.litsxg.conformance.support.ProcessTimes.seconds(took)
                + " after the launch (bound " + org.litsxg.conformance.support.ProcessTimes.seconds(bound.toNanos())
                + ")");
        ctx.check(took <= bound.toNanos(), "the ready line within " + org.litsxg.conformance.support.ProcessTimes
                        .seconds(bound.toNanos()) + " of the launch, on an empty data directory (5 s x timescale "
                        + ctx.settings().timescale() + ")",
                "it came " + org.litsxg.conformance.support.ProcessTimes.seconds(took) + " after the launch");
    }

    /**
     * Waits for a build that cannot start to exit (the kit's startup timeout is the outer bound)
     * and judges the exit at the spec's 5 s x timescale from the launch, printing the figure.
     */
    private Optional<Integer> awaitFailedStartExit(ServerProcess p, String who) {
        Optional<Integer> status = p.awaitExit(ctx.settings().startupTimeout());
        Duration bound = ctx.settings().scaled(org.litsxg.conformance.support.ProcessTimes.FAILED_START_EXIT);
        if (status.isEmpty()) {
            throw ctx.failure(who + " exits within " + org.litsxg.conformance.support.ProcessTimes.seconds(bound.toNanos())
                            + " of its launch (5 s x timescale)", "still running after "
                            + ctx.settings().startupTimeout().toMillis() + " ms; stderr: " + p.stderr().lines());
        }
        long took = p.exitedAt().orElse(System.nanoTime()) - p.startedAt();
        ctx.observe("measured: " + who + " exited " + org.litsxg.conformance.support.ProcessTimes.seconds(took)
                + " after its launch (bound " + org.litsxg.conformance.support.ProcessTimes.seconds(bound.toNanos()) + ")");
        ctx.check(took <= bound.toNanos(), who + " exits at once: within " + org.litsxg.conformance.support.ProcessTimes
                        .seconds(bound.toNanos()) + " of its launch (5 s x timescale)",
                "it exited (status " + status.get() + ") " + org.litsxg.conformance.support.ProcessTimes.seconds(took)
                        + " after its launch");
        return status;
    }

    @Then("the server exits with status {int}")
    public void exitsWith(int expected) {
        ServerProcess p = current();
        Optional<Integer> status = p.awaitExit(ctx.settings().stopTimeout());
        ctx.check(status.isPresent() && status.get() == expected, "exit status " + expected,
                status.map(s -> "exit status " + s).orElse("still running after "
                        + ctx.settings().stopTimeout().toMillis() + " ms"));
        if (signalledAt != 0) {
            // PROC-13: "exits" on a signal means at once: within 5 s x timescale of the signal.
            Duration bound = ctx.settings().scaled(org.litsxg.conformance.support.ProcessTimes.AT_ONCE_EXIT);
            long took = Math.max(0, p.exitedAt().orElse(System.nanoTime()) - signalledAt);
            ctx.observe("measured: exit " + org.litsxg.conformance.support.ProcessTimes.seconds(took)
                    + " after the signal (bound " + org.litsxg.conformance.support.ProcessTimes.seconds(bound.toNanos())
                    + ")");
            ctx.check(took <= bound.toNanos(), "the exit within " + org.litsxg.conformance.support.ProcessTimes
                            .seconds(bound.toNanos()) + " of the signal (5 s x timescale)",
                    "it exited " + org.litsxg.conformance.support.ProcessTimes.seconds(took) + " after the signal");
        }
    }

    @Then("the server exits at once with status {int}")
    public void exitsAtOnceWith(int expected) {
        ServerProcess p = current();
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
        ServerProcess p = current();
        Optional<Integer> status = awaitFailedStartExit(p, "the server");
        ctx.check(status.get() != 0, "a non-zero exit status", "exit status " + status.get());
    }

    @Then("the server exited with status {int}")
    public void exitedWith(int expected) {
        ctx.check(lastExit.isPresent() && lastExit.get() == expected, "exit status " + expected,
                lastExit.map(s -> "exit status " + s).orElse("it did not exit within the stop timeout"));
    }

    @Then("the server printed no ready line")
    public void noReadyLine() {
        noReadyLine(current());
    }

    @Then("the second server printed no ready line")
    public void secondNoReadyLine() {
        noReadyLine(ctx.instance("second server").current());
    }

    private void noReadyLine(ServerProcess p) {
        List<String> ready = p.stdout().lines().stream().filter(l -> l.startsWith(READY)).toList();
        ctx.check(ready.isEmpty(), "no ready line on stdout", "stdout: " + p.stdout().lines());
    }

    @Then("the server wrote exactly one line to stderr")
    public void oneStderrLine() {
        oneStderrLine(current());
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

    @Then("the server's stdout is exactly its ready line")
    public void stdoutIsReadyLine() {
        ServerInstance s = ctx.server();
        ServerProcess p = s.current();
        // Accepting connections can come a moment before the ready line reaches the kit: wait for it.
        p.stdout().awaitLine(l -> l.startsWith(READY), ctx.settings().replyTimeout(), () -> !p.isAlive());
        List<String> lines = p.stdout().lines();
        String expected = READY + literal(s.bind()) + ":" + s.port();
        ctx.check(lines.equals(List.of(expected)), "stdout holds exactly one line: " + expected, "stdout: " + lines);
    }

    @Then("the ready line names the address {string} and the port the server bound")
    public void readyLineNames(String address) {
        ServerInstance s = ctx.server();
        ServerProcess p = s.current();
        Optional<String> line = p.stdout().awaitLine(l -> l.startsWith(READY), ctx.settings().startupTimeout(),
                () -> !p.isAlive());
        ctx.check(line.isPresent(), "a ready line \"" + READY + address + ":<port>\"", "stdout: " + p.stdout().lines());
        String rest = line.get().substring(READY.length());
        int colon = rest.lastIndexOf(':');
        String host = colon < 0 ? "" : rest.substring(0, colon);
        String port = colon < 0 ? "" : rest.substring(colon + 1);
        ctx.check(sameAddress(host, address) && port.matches("[1-9][0-9]{0,4}"),
                "a ready line \"" + READY + address + ":<port>\" (the address in canonical form: dotted quad,"
                        + " or RFC 5952 in brackets)",
                "stdout: " + p.stdout().lines());
        int bound = Integer.parseInt(port);
        if (!"0".equals(s.get("port"))) {
            ctx.check(bound == s.port(), "the port in the ready line is " + s.port(), line.get());
        }
        s.port(bound);
    }

    /**
     * Whether the ready line's host is {@code expected} in its canonical text form (PROC-8):
     * IPv4 as a dotted quad, IPv6 in RFC 5952 compressed form, in brackets.
     */
    static boolean sameAddress(String host, String expected) {
        try {
            boolean v6 = expected.startsWith("[");
            String e = v6 ? expected.substring(1, expected.length() - 1) : expected;
            java.net.InetAddress a = java.net.InetAddress.getByName(e);
            return host.equals(canonical(a));
        } catch (java.net.UnknownHostException ex) {
            return false;
        }
    }

    /** RFC 5952 text of an address (IPv6 bracketed), or the dotted quad of an IPv4 one. */
    static String canonical(java.net.InetAddress a) {
        if (!(a instanceof java.net.Inet6Address)) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLen - 1;
                continue;
            }
            if (out.length() > 1 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(g[i]));
        }
        return out.append(']').toString();
    }

    @Then("the ready line names the address {string} and the port {int}")
    public void readyLineNamesPort(String address, int port) {
        ServerProcess p = ctx.server().current();
        Optional<String> line = p.stdout().awaitLine(l -> l.startsWith(READY), ctx.settings().startupTimeout(),
                () -> !p.isAlive());
        String expected = READY + address + ":" + port;
        ctx.check(line.isPresent() && line.get().equals(expected), "the ready line \"" + expected + "\"",
                "stdout: " + p.stdout().lines());
    }

    @Then("the server serves on the port its ready line names")
    public void servesOnReadyPort() {
        ServerInstance s = ctx.server();
        ServerProcess p = s.current();
        Optional<String> line = p.stdout().awaitLine(l -> l.startsWith(READY), ctx.settings().startupTimeout(),
                () -> !p.isAlive());
        ctx.check(line.isPresent(), "a ready line on stdout", "stdout: " + p.stdout().lines());
        String rest = line.get().substring(READY.length());
        int port = Integer.parseInt(rest.substring(rest.lastIndexOf(':') + 1));
        ctx.check(port != 0, "the ready line names the port actually bound, not 0", line.get());
        s.port(port);
        pingOnce(s, "a client connecting to the port of the ready line is served");
    }

    @Then("a connection made as soon as the ready line appeared is served")
    public void servedAtOnce() {
        pingOnce(ctx.server(), "the first connection, made right after the ready line, is accepted and served");
    }

    private void pingOnce(ServerInstance s, String what) {
        WireClient c;
        try {
            c = WireClient.connect("first-client", s.address(), ctx.settings().replyTimeout(),
                    new org.litsxg.conformance.support.Transcript("first-client", System.nanoTime()), 0, false);
        } catch (IOException e) {
            throw ctx.failure(what, "the connect failed: " + e.getMessage());
        }
        try (c) {
            clients.sendLine(c, "PING");
            Received r = c.next(ctx.settings().replyTimeout());
            ctx.check(r instanceof Received.Line l && l.text().equals("PONG"), what + " (PING answered PONG)",
                    "got " + r);
        }
    }

    @Then("the {word} server still serves")
    public void stillServes(String which) {
        ServerInstance s = which.equals("first") ? ctx.server() : ctx.instance(which + " server");
        ctx.check(s.isRunning(), "the " + which + " server is still running",
                "it exited with status " + s.current().exitStatus().orElse(-1));
        pingOnce(s, "the " + which + " server still answers PING");
    }

    @Then("the server still runs and serves")
    public void stillRunsAndServes() {
        ServerInstance s = ctx.server();
        ctx.check(s.isRunning(), "the server is still running",
                "it exited with status " + s.current().exitStatus().orElse(-1));
        pingOnce(s, "the server still answers PING");
    }

    @Then("the process the kit started is still running after a quiet period")
    public void stillRunningAfterQuiet() {
        ServerProcess p = current();
        Duration quiet = ctx.settings().quietPeriod();
        try {
            await("the server process stays in the foreground").during(quiet).atMost(quiet.plusSeconds(1))
                    .pollInterval(Duration.ofMillis(20)).until(p::isAlive);
        } catch (ConditionTimeoutException e) {
            throw ctx.failure("the process the kit started keeps running in the foreground",
                    "it exited with status " + p.exitStatus().orElse(-1));
        }
    }

    @Then("nothing listens on the server's port any more")
    public void portClosed() {
        ServerInstance s = ctx.server();
        Duration quiet = ctx.settings().quietPeriod().multipliedBy(2);
        try {
            await("nothing listens on " + s.address()).during(quiet).atMost(quiet.plusSeconds(2))
                    .pollInterval(Duration.ofMillis(50)).until(() -> !ServerProcess.canConnect(s.address()));
        } catch (ConditionTimeoutException e) {
            throw ctx.failure("nothing accepts connections on " + s.address() + " once the process has ended",
                    "a connection was accepted");
        }
        List<ProcessHandle> left = ProcessHandle.allProcesses()
                .filter(h -> h.pid() == s.current().pid()).toList();
        ctx.check(left.isEmpty() || !left.get(0).isAlive(), "the server process has ended", "it is still alive");
    }

    @Then("the server has exited")
    public void hasExited() {
        ServerProcess p = current();
        Optional<Integer> status = p.awaitExit(ctx.settings().stopTimeout());
        ctx.check(status.isPresent(), "the server process has exited", "it is still running");
    }

    /** An address as the ready line writes it: IPv6 in brackets. */
    static String literal(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    @Then("connecting to {string} on the server's port is refused")
    public void refusedOn(String address) {
        ServerInstance s = ctx.server();
        boolean accepted = ServerProcess.canConnect(new InetSocketAddress(address, s.port()));
        ctx.check(!accepted, "no connection to " + address + ":" + s.port() + " is accepted",
                "a connection to " + address + ":" + s.port() + " was accepted");
    }

    @Then("connecting to {string} on the server's port is served")
    public void servedOn(String address) {
        ServerInstance s = ctx.server();
        InetSocketAddress a = new InetSocketAddress(address, s.port());
        ctx.check(ServerProcess.canConnect(a), "a connection to " + a + " is accepted", "the connect failed");
    }

    /** Closes the socket the kit held to keep a port busy. */
    @io.cucumber.java.After(order = 10)
    public void releasePort() throws IOException {
        if (occupier != null) {
            occupier.close();
        }
    }

    /** The data directory of the scenario's server. */
    Path dataDir() {
        return ctx.server().dataDir();
    }
}

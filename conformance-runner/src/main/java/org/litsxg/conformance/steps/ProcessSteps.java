package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.litsxg.conformance.support.CommandTemplate;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.StoreSnapshot;
import org.litsxg.conformance.support.Unimplemented;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps about the process as an operator sees it: defaults, flags, listening sockets (read
 * from /proc on Linux), signals the spec leaves open, and the "records" of informational
 * clauses about the process.
 */
public final class ProcessSteps {

    /** The limit placeholders PROC-3 asks a build to offer. */
    static final List<String> LIMITS = List.of("max_queued", "max_connections", "auth_timeout", "max_pending_bytes");

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Clients clients;
    private final Secrets secrets;

    public ProcessSteps(ScenarioContext ctx, Servers servers, Clients clients, Secrets secrets) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
        this.secrets = secrets;
    }

    // ------------------------------------------------------------------ PROC-14: fatal run-time errors

    /** Paths the kit made immutable; made mutable again after the scenario. */
    private final List<Path> immutable = new ArrayList<>();
    private long registerSentAt;

    /**
     * Makes every write to the identity store fail, whatever the build's SQLite journal mode
     * and whether or not it runs as root: {@code chattr +i} on the data directory and on every
     * file in it but SQLite's memory-mapped {@code -shm} index (a write into a mapped page of an
     * immutable file is a SIGBUS, not an error). Removing the directory or replacing the
     * database does not do it: a WAL build keeps writing through the descriptors it holds, and
     * SQLite's write succeeds on the unlinked file; chmod does not stop root. NOT RUN where the
     * file system or the kit's privileges do not allow the immutable attribute.
     */
    @When("the server's data directory can no longer be written")
    public void dataDirUnwritable() {
        ServerInstance s = servers.running();
        Path dir = s.dataDir();
        List<Path> targets = new ArrayList<>();
        targets.add(dir);
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().endsWith("-shm"))
                    .forEach(targets::add);
        } catch (IOException e) {
            throw new Unimplemented("the kit cannot list the data directory " + dir + ": " + e.getMessage());
        }
        String out = chattr("+i", targets);
        if (out != null) {
            throw new Unimplemented("the kit cannot make the data directory immutable (chattr +i, which needs root "
                    + "and a file system with the attribute): " + out);
        }
        immutable.addAll(targets);
        Path probe = dir.resolve("kit-write-probe");
        try {
            Files.writeString(probe, "x");
            Files.deleteIfExists(probe);
            throw new Unimplemented("chattr +i did not stop a write into " + dir + " on this machine");
        } catch (IOException expected) {
            // The directory cannot be written: as intended.
        }
        ctx.scenario().log("the kit made " + targets + " immutable (chattr +i)");
    }

    @When("{conn} connects and registers a new name")
    public void registersNewName(String label) {
        WireClient c = clients.connect(label);
        String name = Clients.nameOf(label);
        clients.sendLine(c, "AUTH " + name + " " + secrets.secret(name));
        registerSentAt = System.nanoTime();
    }

    @Then("{conn} never receives {string}")
    public void neverReceives(String label, String forbidden) {
        WireClient c = clients.client(label);
        List<String> got = new ArrayList<>();
        while (true) {
            Received r = c.next(ctx.settings().replyTimeout());
            if (r instanceof Received.Line l) {
                got.add(l.text());
                ctx.check(!l.text().equals(forbidden), "no \"" + forbidden + "\" once the identity cannot be stored",
                        c.name() + " received " + got);
                continue;
            }
            ctx.check(r instanceof Received.Closed, c.name() + "'s connection ends (the process exits) without \""
                    + forbidden + "\"", c.name() + " received " + got + ", then " + r);
            return;
        }
    }

    @Then("the server has exited with status {int} within 5 s of the registration")
    public void exitedAfterRegistration(int expected) {
        ServerProcess p = ctx.server().current();
        java.time.Duration bound = ctx.settings().scaled(org.litsxg.conformance.support.ProcessTimes.AT_ONCE_EXIT);
        Optional<Integer> status = p.awaitExit(bound.plus(ctx.settings().stopTimeout()));
        ctx.check(status.isPresent(), "the process exits (PROC-14: a fatal run-time error ends it, never half-alive)",
                "it still runs " + org.litsxg.conformance.support.ProcessTimes.seconds(System.nanoTime() - registerSentAt)
                        + " after the registration; stderr: " + p.stderr().lines());
        long took = Math.max(0, p.exitedAt().orElse(System.nanoTime()) - registerSentAt);
        ctx.observe("measured: exit status " + status.get() + " " + org.litsxg.conformance.support.ProcessTimes
                .seconds(took) + " after the registration that could not be stored (bound "
                + org.litsxg.conformance.support.ProcessTimes.seconds(bound.toNanos()) + ")");
        ctx.check(status.get() == expected, "exit status " + expected, "exit status " + status.get()
                + "; stderr: " + p.stderr().lines());
        ctx.check(took <= bound.toNanos(), "the exit within " + org.litsxg.conformance.support.ProcessTimes.seconds(
                bound.toNanos()) + " of the registration (5 s x timescale)", "it exited "
                + org.litsxg.conformance.support.ProcessTimes.seconds(took) + " after it");
    }

    /** Runs chattr on {@code paths}; null when it worked, else what it said. */
    private static String chattr(String flag, List<Path> paths) {
        List<String> cmd = new ArrayList<>(List.of("chattr", flag));
        paths.forEach(x -> cmd.add(x.toString()));
        try {
            Process pr = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(pr.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            if (!pr.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                pr.destroyForcibly();
                return "chattr did not finish";
            }
            return pr.exitValue() == 0 ? null : "exit " + pr.exitValue() + ": " + out;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Makes what the scenario made immutable deletable again, before the directory is removed. */
    @io.cucumber.java.After(order = 20)
    public void mutableAgain() {
        if (!immutable.isEmpty()) {
            chattr("-i", immutable);
            immutable.clear();
        }
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
        try (WireClient c = WireClient.connect("probe", s.address(), ctx.settings().replyTimeout(),
                new org.litsxg.conformance.support.Transcript("probe", System.nanoTime()), 0, false)) {
            c.send("PING");
            Received r = c.next(ctx.settings().replyTimeout());
            serves = r instanceof Received.Line l && l.text().equals("PONG");
        } catch (IOException e) {
            serves = false;
        }
        ctx.observe("the server still runs" + (serves ? " and answers PING" : " but does not answer PING"));
    }

    // ------------------------------------------------------------------ listening sockets

    @Then("the server's processes listen on no socket but the client port")
    public void onlyClientPort() {
        ServerInstance s = ctx.server();
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc.resolve("net"))) {
            throw new Unimplemented("the kit reads listening sockets from /proc, which this system lacks");
        }
        ProcessHandle root = ProcessHandle.of(s.current().pid()).orElseThrow(() ->
                ctx.failure("the server process is running", "it is gone"));
        Set<Long> inodes = new java.util.HashSet<>();
        Stream.concat(Stream.of(root), root.descendants()).forEach(h -> inodes.addAll(socketInodes(h.pid())));
        List<String> extra = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            for (String[] f : rows(proc.resolve("net").resolve(table))) {
                if (f.length > 9 && inodes.contains(Long.parseLong(f[9])) && f[3].equals("0A")) {
                    int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                    if (port != s.port()) {
                        extra.add(table + " listener on port " + port);
                    }
                }
            }
        }
        for (String table : List.of("udp", "udp6", "raw", "raw6")) {
            for (String[] f : rows(proc.resolve("net").resolve(table))) {
                if (f.length > 9 && inodes.contains(Long.parseLong(f[9]))) {
                    int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                    extra.add(table + " socket on port " + port);
                }
            }
        }
        for (String[] f : rows(proc.resolve("net").resolve("unix"))) {
            // Num RefCount Protocol Flags Type St Inode [Path]; flag 0x10000 = listening.
            if (f.length > 6 && inodes.contains(Long.parseLong(f[6]))
                    && (Long.parseLong(f[3], 16) & 0x10000) != 0) {
                extra.add("unix socket listening" + (f.length > 7 ? " at " + f[7] : ""));
            }
        }
        ctx.check(extra.isEmpty(), "the server's processes listen only on TCP port " + s.port(), String.join("; ", extra));
    }

    private static Set<Long> socketInodes(long pid) {
        Set<Long> out = new java.util.HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        out.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException | NumberFormatException ignored) {
                    // The descriptor closed meanwhile.
                }
            });
        } catch (IOException ignored) {
            // The process ended meanwhile.
        }
        return out;
    }

    private static List<String[]> rows(Path table) {
        try {
            return Files.readAllLines(table).stream().skip(1).map(l -> l.trim().split("\\s+")).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    // ------------------------------------------------------------------ monitoring

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

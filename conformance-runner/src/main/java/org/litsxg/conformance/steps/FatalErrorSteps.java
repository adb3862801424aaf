package org.litsxg.conformance.steps;

import io.cucumber.java.After;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.litsxg.conformance.support.ProcessTimes;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.Unimplemented;
import org.litsxg.conformance.support.WireClient;

/**
 * PROC-14: a fatal run-time error. The kit makes the identity store unwritable while the server
 * runs; a registration must then end the process (exit status 1, at once) and never be answered
 * OK registered.
 */
public final class FatalErrorSteps {

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Clients clients;
    private final Secrets secrets;
    /** Paths the kit made immutable; made mutable again after the scenario. */
    private final List<Path> immutable = new ArrayList<>();
    private long registerSentAt;

    public FatalErrorSteps(ScenarioContext ctx, Servers servers, Clients clients, Secrets secrets) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
        this.secrets = secrets;
    }

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
        Duration bound = ctx.settings().scaled(ProcessTimes.AT_ONCE_EXIT);
        Optional<Integer> status = p.awaitExit(bound.plus(ctx.settings().stopTimeout()));
        ctx.check(status.isPresent(), "the process exits (PROC-14: a fatal run-time error ends it, never half-alive)",
                "it still runs " + ProcessTimes.seconds(System.nanoTime() - registerSentAt)
                        + " after the registration; stderr: " + p.stderr().lines());
        long took = Math.max(0, p.exitedAt().orElse(System.nanoTime()) - registerSentAt);
        ctx.observe("measured: exit status " + status.get() + " " + ProcessTimes.seconds(took) + " after the registration that could not be stored (bound "
                + ProcessTimes.seconds(bound.toNanos()) + ")");
        ctx.check(status.get() == expected, "exit status " + expected, "exit status " + status.get()
                + "; stderr: " + p.stderr().lines());
        ctx.check(took <= bound.toNanos(), "the exit within " + ProcessTimes.seconds(
                bound.toNanos()) + " of the registration (5 s x timescale)", "it exited "
                + ProcessTimes.seconds(took) + " after it");
    }

    /** Runs chattr on {@code paths}; null when it worked, else what it said. */
    private static String chattr(String flag, List<Path> paths) {
        List<String> cmd = new ArrayList<>(List.of("chattr", flag));
        paths.forEach(x -> cmd.add(x.toString()));
        try {
            Process pr = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!pr.waitFor(10, TimeUnit.SECONDS)) {
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
    @After(order = 20)
    public void mutableAgain() {
        if (!immutable.isEmpty()) {
            chattr("-i", immutable);
            immutable.clear();
        }
    }
}

package org.litsxg.conformance.explore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;

/**
 * The build an exploration runs against: started from its command template in a fresh data
 * directory, stopped by SIGTERM or SIGKILL, restarted on the same directory.
 */
final class BuildUnderTest implements AutoCloseable {

    private final Explorer.Settings settings;
    private final Model model;
    private final RunLog log;
    private final ServerInstance instance;
    private ServerProcess process;
    private int restarts;

    BuildUnderTest(Explorer.Settings settings, Model model, RunLog log) throws IOException {
        this.settings = settings;
        this.model = model;
        this.log = log;
        Files.createDirectories(settings.root());
        this.instance = new ServerInstance("server", Files.createTempDirectory(settings.root(), "run"), settings.template());
        instance.set("max_queued", Integer.toString(settings.maxQueued()));
        instance.set("max_connections", Integer.toString(settings.maxConnections()));
        instance.set("auth_timeout", Integer.toString(settings.authTimeout()));
        instance.set("max_pending_bytes", Integer.toString(settings.maxPendingBytes()));
    }

    /** Starts the build and waits until it accepts connections (the probe is told to the model). */
    void start() throws Explorer.StartFailure {
        List<String> argv = instance.argv();
        try {
            process = ServerProcess.start("server#" + (restarts + 1), argv, instance.workDir(), instance.environment(),
                    System.nanoTime(), null);
        } catch (IOException e) {
            throw new Explorer.StartFailure("cannot start " + argv + ": " + e.getMessage());
        }
        instance.started(process);
        Duration wait = settings.scaled(30);
        if (!process.awaitAccepting(instance.address(), wait)) {
            throw new Explorer.StartFailure("the build did not accept connections on " + instance.address() + " within "
                    + wait.toSeconds() + " s" + process.exitStatus().map(s -> " (it exited with status " + s + ")").orElse("")
                    + "; stderr: " + String.join(" | ", process.stderr().lines()));
        }
        model.probed(System.nanoTime());
        log.event("server", "started: " + String.join(" ", argv));
    }

    /** Starts it again on the same data directory. */
    void restart() throws Explorer.StartFailure {
        restarts++;
        start();
    }

    /** Sends SIGKILL or SIGTERM and waits for the exit; after SIGTERM, PROC-13's exit status 0 within 5 s. */
    Divergence stop(boolean kill) {
        log.event("server", kill ? "SIGKILL" : "SIGTERM");
        long t0 = System.nanoTime();
        Optional<Integer> status = kill ? process.kill() : process.terminate(settings.scaled(10));
        double took = (System.nanoTime() - t0) / 1e9;
        log.event("server", "exited with status " + status.map(String::valueOf).orElse("?") + " after "
                + String.format(Locale.ROOT, "%.2f s", took));
        if (!kill && (status.isEmpty() || status.get() != 0 || took > 5 * settings.timescale())) {
            return new Divergence(List.of("PROC-13"), "server", "exit status 0 within 5 s of SIGTERM", "status "
                    + status.map(String::valueOf).orElse("none") + " after " + String.format(Locale.ROOT, "%.1f s", took),
                    "the server exits at once with status 0");
        }
        return null;
    }

    /** PROC-1, PROC-14: the divergence once the build has exited on its own. */
    Divergence exitedOnItsOwn() {
        List<String> err = process.stderr().lines();
        return new Divergence(List.of("PROC-1", "PROC-14"), "server", "the server keeps running until it is stopped",
                "it exited on its own with status " + process.exitStatus().map(String::valueOf).orElse("?")
                        + (err.isEmpty() ? "" : "; last stderr line: " + err.get(err.size() - 1)),
                "the server still runs and serves");
    }

    boolean isAlive() {
        return process.isAlive();
    }

    java.net.InetSocketAddress address() {
        return instance.address();
    }

    Path dataDir() {
        return instance.dataDir();
    }

    int restarts() {
        return restarts;
    }

    /** The process's output for the report ("" if it never started). */
    String report() {
        return process == null ? "" : process.report();
    }

    @Override
    public void close() {
        instance.close();
        org.litsxg.conformance.steps.ScenarioContext.deleteTree(instance.root());
    }
}

package org.litsxg.conformance.steps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.litsxg.conformance.support.CommandTemplate;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.StoreSnapshot;
import org.litsxg.conformance.support.Unimplemented;

/**
 * Starts, stops and configures the scenario's servers ({@link ScenarioContext#server()} and the
 * others it names), and keeps readings of their identity store to compare with later ones.
 * One per scenario, injected by cucumber-picocontainer.
 */
public final class Servers {

    private final ScenarioContext ctx;
    private final Map<String, StoreSnapshot> storeSnapshots = new LinkedHashMap<>();

    public Servers(ScenarioContext ctx) {
        this.ctx = ctx;
    }

    /** Sets a limit on the scenario's server, or marks the scenario NOT RUN if it cannot be set. */
    public void configure(String placeholder, String value, String why) {
        ctx.require(placeholder, why);
        ctx.server().set(placeholder, value);
    }

    /** The scenario's server, started first if it is not running. */
    public ServerInstance running() {
        ServerInstance s = ctx.server();
        if (!s.isRunning()) {
            start(s);
        }
        return s;
    }

    /**
     * Starts {@code instance} and waits until it accepts a TCP connection (at most the startup
     * timeout); fails the scenario if it exits or times out first.
     */
    public ServerProcess start(ServerInstance instance) {
        ServerProcess p = launch(instance, List.of());
        if (!p.awaitAccepting(instance.address(), ctx.settings().startupTimeout())) {
            Optional<Integer> status = p.exitStatus();
            throw ctx.failure(instance.label() + " accepts connections on " + instance.address()
                            + " within " + ctx.settings().startupTimeout().toMillis() + " ms of its start",
                    status.map(s -> "it exited with status " + s).orElse("it did not accept a connection")
                            + "; stderr: " + String.join(" | ", p.stderr().lines()));
        }
        // A socket accepts from listen(), a moment before the build can print its ready line
        // (PROC-8): give the line that moment, so that a scenario that stops the server at once
        // does not stop it before it has announced itself. A build that prints none loses half
        // a second a start here and fails PROC-8 where that is checked.
        p.stdout().awaitLine(ReadyLine::is, ctx.settings().scaled(Duration.ofMillis(500)), () -> !p.isAlive());
        return p;
    }

    /** Starts {@code instance} with {@code extraArgs} appended, without waiting for anything. */
    public ServerProcess launch(ServerInstance instance, List<String> extraArgs) {
        return launch(instance, extraArgs, null);
    }

    /** As {@link #launch(ServerInstance, List)}, with bytes for the process's standard input. */
    public ServerProcess launch(ServerInstance instance, List<String> extraArgs, byte[] stdin) {
        return launch(instance, extraArgs, stdin, null);
    }

    /**
     * As {@link #launch(ServerInstance, List, byte[])}, with {@code stdoutHook} run on the kit's
     * drain thread for every stdout line the moment it is read (may be null).
     */
    public ServerProcess launch(ServerInstance instance, List<String> extraArgs, byte[] stdin,
            Consumer<String> stdoutHook) {
        try {
            int n = instance.processes().size() + 1;
            return instance.launch(instance.label() + "#" + n, extraArgs, ctx.origin(), stdin, stdoutHook);
        } catch (IOException e) {
            List<String> argv = new ArrayList<>(instance.argv());
            argv.addAll(extraArgs);
            throw new Unimplemented("the server command cannot be started at all: " + argv + ": " + e.getMessage());
        }
    }

    /** SIGTERM, bounded wait, SIGKILL; returns the exit status. */
    public Optional<Integer> stop(ServerInstance instance) {
        ServerProcess p = instance.current();
        return p == null ? Optional.empty() : p.terminate(ctx.settings().stopTimeout());
    }

    /** Stops the scenario's server if it runs. */
    public void stopIfRunning() {
        if (ctx.server().isRunning()) {
            stop(ctx.server());
        }
    }

    /** The latest process of the scenario's server; the scenario must have started one. */
    public ServerProcess current() {
        ServerProcess p = ctx.server().current();
        if (p == null) {
            throw new IllegalStateException("the scenario started no server");
        }
        return p;
    }

    /** A command template for another build (upgrade, rollback). */
    public CommandTemplate previousBuild() {
        return ctx.settings().previousServer();
    }

    // ---------------------------------------------------------------- identity store

    /**
     * Reads the scenario server's identity store (if it has one) and keeps it under
     * {@code key}, to compare with a later reading. Call only while the server is stopped.
     */
    public void recordStoreBefore(String key) {
        Path db = ctx.server().dataDir().resolve(StoreSnapshot.DATABASE);
        if (!Files.isRegularFile(db)) {
            return;
        }
        storeSnapshots.put(key, readStore(ctx.server()));
    }

    /** The identity store recorded under {@code key}, if any. */
    public Optional<StoreSnapshot> recordedStore(String key) {
        return Optional.ofNullable(storeSnapshots.get(key));
    }

    /** Reads an instance's identity store from outside (via a copy); fails the scenario if it cannot. */
    public StoreSnapshot readStore(ServerInstance instance) {
        try {
            Path scratch = Files.createDirectories(ctx.root().resolve("scratch"));
            return StoreSnapshot.read(instance.dataDir(), scratch);
        } catch (IOException | SQLException e) {
            throw ctx.failure("a readable SQLite database " + instance.dataDir().resolve(StoreSnapshot.DATABASE),
                    e.toString());
        }
    }
}

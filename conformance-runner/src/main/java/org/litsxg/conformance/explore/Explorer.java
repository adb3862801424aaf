package org.litsxg.conformance.explore;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.litsxg.conformance.support.CommandTemplate;

/**
 * Runs actions against one build ({@link BuildUnderTest}: started from its command template in a
 * fresh data directory, restarted on the same one) and checks every observable against the
 * {@link Model} as it happens ({@link EventPump}); after a stop, the data directory is audited
 * ({@link DataDirAudit}). One action at a time: after each, the explorer waits until the model says the
 * build owes nothing more ("settled") or gives up and reports what is still owed or
 * unexplained. Used by one thread.
 */
public final class Explorer implements AutoCloseable {

    /** How a run is set up. */
    public record Settings(CommandTemplate template, int clients, int maxQueued, int maxConnections, int authTimeout,
            int maxPendingBytes, double timescale, Path root, boolean keepLog, boolean restarts) {

        Limits limits() {
            return new Limits(maxQueued, maxConnections, TimeUnit.SECONDS.toNanos(authTimeout), maxPendingBytes,
                    timescale);
        }

        /** {@code seconds} times the timescale. */
        Duration scaled(double seconds) {
            return Duration.ofMillis((long) (seconds * 1000 * timescale));
        }
    }

    /** What a run did and found. */
    public record Outcome(List<Action> actions, List<Boolean> applied, int executed, int connections, int restarts,
            Divergence divergence, int failedAt, List<String> log, List<List<Seen>> seen, double seconds,
            String serverOutput, Map<String, Integer> observed) {
    }

    /** Where actions come from: the random generator or a replay. Null ends the run. */
    interface Source {
        Action next(Explorer e);
    }

    /** The build could not be started at all. */
    public static final class StartFailure extends IOException {
        StartFailure(String m) {
            super(m);
        }
    }

    private final Settings settings;
    private final Model model;
    private final RunLog log;
    private final BuildUnderTest build;
    private final EventPump pump;
    private final DataDirAudit dataDir = new DataDirAudit();
    private final Client[] slots;
    private final List<Client> all = new ArrayList<>();
    private final List<List<Seen>> seen = new ArrayList<>();
    private List<Seen> current = new ArrayList<>();
    private int connections;

    public Explorer(Settings settings) throws IOException {
        this.settings = settings;
        this.model = new Model(settings.limits());
        this.log = new RunLog(settings.keepLog());
        this.slots = new Client[settings.clients()];
        this.build = new BuildUnderTest(settings, model, log);
        this.pump = new EventPump(model, settings, build);
        model.onSeen(s -> current.add(s));
    }

    Model model() {
        return model;
    }

    /** The client in {@code slot} if it is open (not closed by the kit, not seen to end). */
    Client open(int slot) {
        Client c = slots[slot];
        return c != null && !c.isClosing() && !c.conn.ended ? c : null;
    }

    int clients() {
        return settings.clients();
    }

    Settings settings() {
        return settings;
    }

    private long scaled(double seconds) {
        return settings.scaled(seconds).toNanos();
    }

    /**
     * Runs actions from {@code source} until it returns null, {@code deadline} (nanoTime)
     * passes, or a divergence is found.
     */
    Outcome run(Source source, long deadline, Consumer<String> progress) throws StartFailure {
        long t0 = System.nanoTime();
        build.start();
        List<Action> actions = new ArrayList<>();
        List<Boolean> applied = new ArrayList<>();
        Divergence found = null;
        int failedAt = -1;
        int executed = 0;
        long nextProgress = t0 + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            Action a = source.next(this);
            if (a == null) {
                break;
            }
            actions.add(a);
            current = new ArrayList<>();
            seen.add(current);
            log.event("kit", "action " + actions.size() + ": " + a);
            Divergence d;
            try {
                d = execute(a);
            } catch (StartFailure e) {
                d = new Divergence(List.of("PROC-17", "STORE-2"), "server", "a restart on the data directory of the stopped "
                        + "server succeeds", e.getMessage(), null);
            }
            applied.add(d != SKIPPED);
            if (d != null && d != SKIPPED) {
                found = d;
                failedAt = actions.size() - 1;
                break;
            }
            if (d == null) {
                executed++;
            }
            if (progress != null && System.nanoTime() > nextProgress) {
                nextProgress += TimeUnit.SECONDS.toNanos(5);
                progress.accept(String.format(Locale.ROOT, "explore: %.0f s, %d actions, %d connections, %d restarts",
                        (System.nanoTime() - t0) / 1e9, executed, connections, build.restarts()));
            }
        }
        if (found == null) {
            // The end: whatever the build still owes must arrive, and nothing unexplained may follow.
            pump.pump(scaled(0.3));
            found = pump.settle(scaled(5));
            if (found != null) {
                failedAt = actions.size() - 1;
            }
        }
        String output = build.report();
        return new Outcome(actions, applied, executed, connections, build.restarts(), found, failedAt, log.lines(), seen,
                (System.nanoTime() - t0) / 1e9, output, new TreeMap<>(model.counts()));
    }

    /** Marks an action that did not apply (its slot had no open connection, ...). */
    static final Divergence SKIPPED = new Divergence(List.of(), "", "", "", null);

    private Divergence execute(Action a) throws StartFailure {
        switch (a.kind()) {
            case CONNECT -> {
                if (open(a.slot()) != null) {
                    return SKIPPED;
                }
                if (slots[a.slot()] != null && !slots[a.slot()].isClosing()) {
                    close(slots[a.slot()], false); // it ended on the server's side; drop our end too
                }
                long at = System.nanoTime();
                Socket s;
                try {
                    s = Client.dial(build.address(), a.n() == 1, (int) settings.scaled(5).toMillis());
                } catch (IOException e) {
                    return new Divergence(List.of("WIRE-1", "LIMIT-3"), "server", "a TCP connection is accepted (a connection "
                            + "over the limit gets ERR server-full, not a refused connect)", "connect failed: " + e.getMessage(),
                            null);
                }
                Conn conn = model.connected("c" + (++connections), at, System.nanoTime());
                // With a 4 KiB receive window even a reading client can be dropped under LIMIT-4.
                conn.everStalled = a.n() == 1;
                try {
                    Client c = Client.start(conn, s, log, pump.events, pump.seq);
                    slots[a.slot()] = c;
                    all.add(c);
                    log.event(conn.label, "connected" + (a.n() == 1 ? " with small socket buffers" : "") + " (slot " + a.slot() + ")");
                } catch (IOException e) {
                    return new Divergence(List.of("WIRE-1"), conn.label, "a usable connection", e.getMessage(), null);
                }
                return pump.settle(scaled(5));
            }
            case SEND -> {
                Client c = open(a.slot());
                if (c == null || c.conn.halfClosed || c.conn.stalled) {
                    return SKIPPED;
                }
                dataDir.sent(a.bytes());
                byte[] b = a.bytes();
                if (b.length > settings.maxPendingBytes() / 4) {
                    // A burst of MSG lines can pass the pending-output limit of LIMIT-4 even at a
                    // client that reads (the OS takes only what the client's window allows), so
                    // every recipient of a large write may be dropped as a slow consumer
                    // (permissive: the spec measures what the OS has not taken, which the kit
                    // cannot see).
                    String text = new String(b, StandardCharsets.ISO_8859_1);
                    for (Conn x : model.conns()) {
                        if (x.auth != null && text.contains("SEND " + x.auth + " ")) {
                            x.everStalled = true;
                        }
                    }
                }
                int from = 0;
                int[] cuts = a.cuts();
                for (int i = 0; i <= cuts.length; i++) {
                    int to = i < cuts.length ? cuts[i] : b.length;
                    if (to <= from && i < cuts.length) {
                        continue;
                    }
                    if (i > 0) {
                        // Far enough apart that the server reads the pieces separately (HOST-2);
                        // the events that arrive meanwhile are judged meanwhile.
                        pump.pump(scaled(0.03));
                    }
                    boolean ok = c.write(b, from, to);
                    model.sent(c.conn, Arrays.copyOfRange(b, from, to));
                    if (!ok) {
                        break;
                    }
                    from = to;
                }
                return pump.settle(scaled(b.length > 20000 ? 20 : 5));
            }
            case HALF_CLOSE -> {
                Client c = open(a.slot());
                if (c == null || c.conn.halfClosed || c.conn.stalled) {
                    return SKIPPED;
                }
                c.halfClose();
                model.halfClosed(c.conn);
                return pump.settle(scaled(5));
            }
            case CLOSE, RESET -> {
                Client c = open(a.slot());
                if (c == null) {
                    return SKIPPED;
                }
                close(c, a.kind() == Action.Kind.RESET);
                return pump.settle(scaled(5));
            }
            case STALL, RESUME -> {
                Client c = open(a.slot());
                boolean on = a.kind() == Action.Kind.STALL;
                if (c == null || c.conn.stalled == on) {
                    return SKIPPED;
                }
                c.pause(on);
                model.stall(c.conn, on);
                return pump.settle(scaled(on ? 5 : 15));
            }
            case WAIT -> {
                pump.pump(scaled(a.n() / 1000.0));
                return pump.settle(scaled(5));
            }
            case TERM, KILL -> {
                return restart(a.kind() == Action.Kind.KILL);
            }
            default -> throw new IllegalStateException(a.toString());
        }
    }

    private void close(Client c, boolean reset) {
        c.close(reset);
        model.clientClosed(c.conn, System.nanoTime());
    }

    private Divergence restart(boolean kill) throws StartFailure {
        if (!settings.restarts()) {
            return SKIPPED;
        }
        for (Client c : slots) {
            if (c != null && !c.isClosing() && c.conn.stalled) {
                close(c, false); // its end cannot be seen while it does not read
            }
        }
        model.serverStopping();
        Divergence d = build.stop(kill);
        if (d != null) {
            return d;
        }
        d = pump.settle(scaled(5));
        if (d != null) {
            return d;
        }
        d = dataDir.check(build.dataDir());
        if (d != null) {
            return d;
        }
        model.serverStarted();
        build.restart();
        return null;
    }

    @Override
    public void close() {
        for (Client c : all) {
            c.close(false);
        }
        build.close();
    }

    /** The names and texts of this run, for the Gherkin writer's secrets. */
    Map<String, byte[]> identities() {
        return model.identities();
    }
}

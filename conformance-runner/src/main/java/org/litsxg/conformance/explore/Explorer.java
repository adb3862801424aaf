package org.litsxg.conformance.explore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.litsxg.conformance.support.CommandTemplate;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;

/**
 * Runs actions against one build (started from its command template in a fresh data
 * directory, restarted on the same one) and checks every observable against the {@link Model}
 * as it happens. One action at a time: after each, the explorer waits until the model says the
 * build owes nothing more ("settled") or gives up and reports what is still owed or
 * unexplained. Used by one thread.
 */
public final class Explorer implements AutoCloseable {

    /** How a run is set up. */
    public record Settings(CommandTemplate template, int clients, int maxQueued, int maxConnections, int authTimeout,
            int maxPendingBytes, double timescale, Path root, boolean keepLog, boolean restarts) {

        Model.Limits limits() {
            return new Model.Limits(maxQueued, maxConnections, TimeUnit.SECONDS.toNanos(authTimeout), maxPendingBytes,
                    timescale);
        }
    }

    /** What a run did and found. */
    public record Outcome(List<Action> actions, List<Boolean> applied, int executed, int connections, int restarts,
            Divergence divergence, int failedAt, List<String> log, List<List<Model.Seen>> seen, double seconds,
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
    private final ServerInstance instance;
    private final LinkedBlockingQueue<Model.Obs> events = new LinkedBlockingQueue<>();
    private final AtomicLong seq = new AtomicLong();
    private final Client[] slots;
    private final List<Client> all = new ArrayList<>();
    private final Set<String> secretsSent = new LinkedHashSet<>();
    private final Set<String> textsSent = new LinkedHashSet<>();
    private final List<List<Model.Seen>> seen = new ArrayList<>();
    private List<Model.Seen> current = new ArrayList<>();
    private ServerProcess process;
    private int connections;
    private int restarts;
    private long lastEventAt;

    public Explorer(Settings settings) throws IOException {
        this.settings = settings;
        this.model = new Model(settings.limits());
        this.log = new RunLog(settings.keepLog());
        this.slots = new Client[settings.clients()];
        Files.createDirectories(settings.root());
        this.instance = new ServerInstance("server", Files.createTempDirectory(settings.root(), "run"), settings.template());
        instance.set("max_queued", Integer.toString(settings.maxQueued()));
        instance.set("max_connections", Integer.toString(settings.maxConnections()));
        instance.set("auth_timeout", Integer.toString(settings.authTimeout()));
        instance.set("max_pending_bytes", Integer.toString(settings.maxPendingBytes()));
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

    private Duration scaled(double seconds) {
        return Duration.ofMillis((long) (seconds * 1000 * settings.timescale()));
    }

    private void startServer() throws StartFailure {
        List<String> argv = instance.argv();
        try {
            process = ServerProcess.start("server#" + (restarts + 1), argv, instance.workDir(), instance.environment(),
                    System.nanoTime(), null);
        } catch (IOException e) {
            throw new StartFailure("cannot start " + argv + ": " + e.getMessage());
        }
        instance.started(process);
        if (!process.awaitAccepting(instance.address(), scaled(30))) {
            throw new StartFailure("the build did not accept connections on " + instance.address() + " within "
                    + scaled(30).toSeconds() + " s" + process.exitStatus().map(s -> " (it exited with status " + s + ")").orElse("")
                    + "; stderr: " + String.join(" | ", process.stderr().lines()));
        }
        model.probed(System.nanoTime());
        log.event("server", "started: " + String.join(" ", argv));
    }

    /**
     * Runs actions from {@code source} until it returns null, {@code deadline} (nanoTime)
     * passes, or a divergence is found.
     */
    Outcome run(Source source, long deadline, Consumer<String> progress) throws StartFailure {
        long t0 = System.nanoTime();
        startServer();
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
                progress.accept(String.format(java.util.Locale.ROOT, "explore: %.0f s, %d actions, %d connections, %d restarts",
                        (System.nanoTime() - t0) / 1e9, executed, connections, restarts));
            }
        }
        if (found == null) {
            // The end: whatever the build still owes must arrive, and nothing unexplained may follow.
            pump(scaled(0.3).toNanos());
            found = settle(scaled(5).toNanos());
            if (found != null) {
                failedAt = actions.size() - 1;
            }
        }
        String output = process == null ? "" : process.report();
        return new Outcome(actions, applied, executed, connections, restarts, found, failedAt, log.lines(), seen,
                (System.nanoTime() - t0) / 1e9, output, new java.util.TreeMap<>(model.counts()));
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
                    s = Client.dial(instance.address(), a.n() == 1, (int) scaled(5).toMillis());
                } catch (IOException e) {
                    return new Divergence(List.of("WIRE-1", "LIMIT-3"), "server", "a TCP connection is accepted (a connection "
                            + "over the limit gets ERR server-full, not a refused connect)", "connect failed: " + e.getMessage(),
                            null);
                }
                Model.Conn conn = model.connected("c" + (++connections), at, System.nanoTime());
                // With a 4 KiB receive window even a reading client can be dropped under LIMIT-4.
                conn.everStalled = a.n() == 1;
                try {
                    Client c = Client.start(conn, s, log, events, seq);
                    slots[a.slot()] = c;
                    all.add(c);
                    log.event(conn.label, "connected" + (a.n() == 1 ? " with small socket buffers" : "") + " (slot " + a.slot() + ")");
                } catch (IOException e) {
                    return new Divergence(List.of("WIRE-1"), conn.label, "a usable connection", e.getMessage(), null);
                }
                return settle(scaled(5).toNanos());
            }
            case SEND -> {
                Client c = open(a.slot());
                if (c == null || c.conn.halfClosed || c.conn.stalled) {
                    return SKIPPED;
                }
                noteSecretsAndTexts(a.bytes());
                byte[] b = a.bytes();
                if (b.length > settings.maxPendingBytes() / 4) {
                    // A burst of MSG lines can pass the pending-output limit of LIMIT-4 even at a
                    // client that reads (the OS takes only what the client's window allows), so
                    // every recipient of a large write may be dropped as a slow consumer
                    // (permissive: the spec measures what the OS has not taken, which the kit
                    // cannot see).
                    String text = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
                    for (Model.Conn x : model.conns()) {
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
                        pump(scaled(0.03).toNanos());
                    }
                    boolean ok = c.write(b, from, to);
                    model.sent(c.conn, java.util.Arrays.copyOfRange(b, from, to));
                    if (!ok) {
                        break;
                    }
                    from = to;
                }
                return settle(scaled(b.length > 20000 ? 20 : 5).toNanos());
            }
            case HALF_CLOSE -> {
                Client c = open(a.slot());
                if (c == null || c.conn.halfClosed || c.conn.stalled) {
                    return SKIPPED;
                }
                c.halfClose();
                model.halfClosed(c.conn);
                return settle(scaled(5).toNanos());
            }
            case CLOSE, RESET -> {
                Client c = open(a.slot());
                if (c == null) {
                    return SKIPPED;
                }
                close(c, a.kind() == Action.Kind.RESET);
                return settle(scaled(5).toNanos());
            }
            case STALL, RESUME -> {
                Client c = open(a.slot());
                boolean on = a.kind() == Action.Kind.STALL;
                if (c == null || c.conn.stalled == on) {
                    return SKIPPED;
                }
                c.pause(on);
                model.stall(c.conn, on);
                return settle(scaled(on ? 5 : 15).toNanos());
            }
            case WAIT -> {
                pump(scaled(a.n() / 1000.0).toNanos());
                return settle(scaled(5).toNanos());
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
        log.event("server", kill ? "SIGKILL" : "SIGTERM");
        long t0 = System.nanoTime();
        Optional<Integer> status = kill ? process.kill() : process.terminate(scaled(10));
        double took = (System.nanoTime() - t0) / 1e9;
        log.event("server", "exited with status " + status.map(String::valueOf).orElse("?") + " after "
                + String.format(java.util.Locale.ROOT, "%.2f s", took));
        if (!kill && (status.isEmpty() || status.get() != 0 || took > 5 * settings.timescale())) {
            return new Divergence(List.of("PROC-13"), "server", "exit status 0 within 5 s of SIGTERM", "status "
                    + status.map(String::valueOf).orElse("none") + " after " + String.format(java.util.Locale.ROOT, "%.1f s", took),
                    "the server exits at once with status 0");
        }
        Divergence d = settle(scaled(5).toNanos());
        if (d != null) {
            return d;
        }
        d = checkDataDir();
        if (d != null) {
            return d;
        }
        model.serverStarted();
        restarts++;
        startServer();
        return null;
    }

    private void noteSecretsAndTexts(byte[] bytes) {
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            String[] t = line.split(" ", 3);
            if (t.length == 3 && t[0].equals("AUTH") && t[2].length() >= 8 && !t[2].contains(" ")) {
                secretsSent.add(t[2].replace("\r", ""));
            } else if (t.length == 3 && t[0].equals("SEND") && t[2].length() >= 8 && t[2].chars().distinct().count() > 2) {
                textsSent.add(t[2].replace("\r", ""));
            }
        }
    }

    /**
     * STORE-9, STORE-8, STORE-4 after a stop: the data directory holds identities.db, SQLite's
     * companion files and at most one more file (a lock), and no file holds a secret or a message
     * text in clear.
     */
    private Divergence checkDataDir() {
        Path dir = instance.dataDir();
        List<String> others = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String n = f.getFileName().toString();
                if (!n.equals("identities.db") && !n.startsWith("identities.db-")) {
                    others.add(n);
                }
                if (!Files.isRegularFile(f)) {
                    continue;
                }
                byte[] content = Files.readAllBytes(f);
                for (String s : secretsSent) {
                    if (indexOf(content, s.getBytes(StandardCharsets.UTF_8)) >= 0) {
                        return new Divergence(List.of("STORE-4", "SEC-4"), "server", "no secret in clear in any file",
                                "the data directory's " + n + " holds the secret \"" + s + "\"",
                                "no file under the server's directories holds any secret the clients sent");
                    }
                }
                for (String t : textsSent) {
                    if (indexOf(content, t.getBytes(StandardCharsets.UTF_8)) >= 0) {
                        return new Divergence(List.of("STORE-8"), "server", "no message text in any file",
                                "the data directory's " + n + " holds \"" + t + "\"",
                                "no file under the server's directories holds any message text, now or after a stop");
                    }
                }
            }
        } catch (IOException e) {
            return new Divergence(List.of("STORE-1"), "server", "a readable data directory", e.toString(), null);
        }
        if (others.size() > 1) {
            return new Divergence(List.of("STORE-9"), "server", "identities.db, SQLite's companion files and one lock file",
                    "also " + others, "after a stop no file exists under the server's directories but those the contract names");
        }
        return null;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Takes events for {@code nanos} and lets the model judge them. */
    private void pump(long nanos) {
        long end = System.nanoTime() + nanos;
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                Model.Obs o = events.poll(left, TimeUnit.NANOSECONDS);
                if (o == null) {
                    break;
                }
                model.observe(o);
                lastEventAt = System.nanoTime();
                events.drainTo(new java.util.AbstractList<Model.Obs>() {
                    @Override
                    public boolean add(Model.Obs x) {
                        model.observe(x);
                        return true;
                    }

                    @Override
                    public Model.Obs get(int i) {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public int size() {
                        return 0;
                    }
                });
                model.progress(System.nanoTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        model.progress(System.nanoTime());
    }

    /** Waits until the build owes nothing; the divergence if it still does after {@code timeout}. */
    private Divergence settle(long timeout) {
        long deadline = System.nanoTime() + timeout;
        while (true) {
            pump(TimeUnit.MILLISECONDS.toNanos(5));
            long now = System.nanoTime();
            if (!model.isDown() && !process.isAlive()) {
                pump(scaled(0.2).toNanos());
                List<String> err = process.stderr().lines();
                return new Divergence(List.of("PROC-1", "PROC-14"), "server", "the server keeps running until it is stopped",
                        "it exited on its own with status " + process.exitStatus().map(String::valueOf).orElse("?")
                                + (err.isEmpty() ? "" : "; last stderr line: " + err.get(err.size() - 1)),
                        "the server still runs and serves");
            }
            if (model.settled(now)) {
                model.prune(now);
                return null;
            }
            // An observation nothing has explained while no event arrived for a second will not
            // be explained (what could explain it is an event on another connection that the
            // server wrote at the same moment): report it without waiting for the whole deadline.
            boolean quietAndUnexplained = now - lastEventAt > scaled(1).toNanos() && model.hasUnexplained();
            if (now > deadline || quietAndUnexplained) {
                Divergence d = model.stuck(now);
                return d != null ? d : new Divergence(List.of("WIRE-9"), "server", "the build settles", "it did not", null);
            }
        }
    }

    @Override
    public void close() {
        for (Client c : all) {
            c.close(false);
        }
        instance.close();
        org.litsxg.conformance.steps.ScenarioContext.deleteTree(instance.root());
    }

    /** The names and texts of this run, for the Gherkin writer's secrets. */
    Map<String, byte[]> identities() {
        return model.identities();
    }
}

package org.litsxg.conformance.steps;

import io.cucumber.java.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.litsxg.conformance.support.ClauseCatalog;
import org.litsxg.conformance.support.ConformanceFailure;
import org.litsxg.conformance.support.KitSettings;
import org.litsxg.conformance.support.NameAliases;
import org.litsxg.conformance.support.RemoteTarget;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.Unimplemented;
import org.litsxg.conformance.support.WireClient;

/**
 * The scenario itself: its settings, its clauses, its temporary directory, the servers it has
 * (each with a fresh directory and a free port), and its verdict: the failures it raises, the
 * NOT RUN it declares, the observations it records. Created per scenario by
 * cucumber-picocontainer and injected into every step class, as are the other parts of the
 * scenario's world, each holding one thing:
 * <ul>
 *   <li>{@link Servers}: starting, stopping and configuring the servers, and readings of their
 *       identity store;</li>
 *   <li>{@link Clients}: the client connections, opened, looked up and written to;</li>
 *   <li>{@link Secrets}: the secrets and message texts the scenario used, and the feature text
 *       with {@code <secret of alice>} substituted;</li>
 *   <li>{@link Protocol}: the protocol assertions (a reply, a message, the barrier, the close);</li>
 *   <li>{@link Evidence}: the files a server wrote, the evidence attached to a failed scenario,
 *       and the cleanup.</li>
 * </ul>
 * {@link Hooks} opens the scenario before its first step and closes it after its last.
 */
public final class ScenarioContext implements AutoCloseable {

    /** The label of the server every scenario has. */
    public static final String PRIMARY = "server";

    /**
     * The tag of scenarios that need a server of their own: they start, stop or configure it,
     * read its data directory or output, or need names no other scenario may have claimed
     * (a name too long to take a unique suffix). In external mode ({@link KitSettings#ADDRESS}) they
     * run on a local server from the command template, or are NOT RUN without one.
     */
    public static final String PROCESS_TAG = "@process";

    private KitSettings settings;
    private final ClauseCatalog catalog = ClauseCatalog.bundled();
    private final long origin = System.nanoTime();
    /** When the scenario began, on the wall clock (file modification times are compared with it). */
    private final Instant began = Instant.now();
    private final Map<String, ServerInstance> instances = new LinkedHashMap<>();
    private final List<String> observations = new ArrayList<>();
    /** Every connection the scenario opened ({@link Clients} reports them), for the grace in {@link #failure}. */
    private final List<WireClient> connections = new ArrayList<>();
    private java.util.Set<WireClient> endedBeforeThisStep = java.util.Set.of();
    private NameAliases aliases = NameAliases.NONE;
    private Scenario scenario;
    private List<String> clauses = List.of();
    private Path root;

    /** Called by {@link Hooks} before the first step, with the settings of the scenario's run. */
    void begin(Scenario s, KitSettings runSettings) {
        this.settings = runSettings;
        this.scenario = s;
        this.clauses = s.getSourceTagNames().stream()
                .map(t -> t.substring(1))
                .filter(t -> ClauseCatalog.CLAUSE_ID.matcher(t).matches())
                .toList();
        Optional<RemoteTarget> remote = settings.remote();
        boolean needsProcess = s.getSourceTagNames().contains(PROCESS_TAG);
        if (remote.isPresent() && needsProcess && !settings.localServer()) {
            throw new Unimplemented("the server under test runs elsewhere (" + remote.get() + ") and this scenario ("
                    + PROCESS_TAG + ") starts, stops or configures a server, or reads its files or output; "
                    + "give --server as well to run such scenarios on a local server");
        }
        try {
            this.root = Files.createTempDirectory("litsxg-kit-");
            if (remote.isPresent() && !needsProcess) {
                // External mode: the scenario speaks to the running server under names of its own.
                aliases = NameAliases.random();
                instances.put(PRIMARY, ServerInstance.remote(PRIMARY, remote.get()));
                return;
            }
            instances.put(PRIMARY, new ServerInstance(PRIMARY, Files.createDirectories(root.resolve(PRIMARY)),
                    settings.server()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!settings.server().has("port") || !settings.server().has("data_dir")) {
            throw new Unimplemented("the server command template must contain {port} and {data_dir}: "
                    + settings.server());
        }
    }

    public KitSettings settings() {
        return settings;
    }

    public Scenario scenario() {
        return scenario;
    }

    public Path root() {
        return root;
    }

    /** {@link System#nanoTime()} at the scenario's start: the origin of its transcripts' timestamps. */
    public long origin() {
        return origin;
    }

    /** When the scenario began, on the wall clock. */
    public Instant began() {
        return began;
    }

    /** The names the scenario's clients use on a server elsewhere ({@link NameAliases#NONE} locally). */
    public NameAliases aliases() {
        return aliases;
    }

    // ---------------------------------------------------------------- failures

    /** The clauses this scenario checks, each with its quoted requirement. */
    public List<String> requirements() {
        return clauses.stream().map(catalog::quote).toList();
    }

    /**
     * Fails the scenario with the requirement, what was expected and what was observed. When a
     * server of the scenario has ended without the kit stopping it, the observation says so,
     * with its exit status and last stderr lines: a connection closed by a server that died
     * reads very differently from one the server chose to close.
     */
    public ConformanceFailure failure(String expected, String actual) {
        // A server that is dying closes its connections a moment before its process ends: when
        // a connection of the scenario has ended during this step without the kit closing it,
        // give the server a second (on the kit's time scale) to be seen as gone; otherwise only look.
        boolean ended = connections.stream().anyMatch(c -> c.isClosedSeen() && !c.isClosedByKit()
                && !endedBeforeThisStep.contains(c));
        return failure(expected, actual, ended ? settings.scaled(Duration.ofSeconds(1)) : Duration.ZERO);
    }

    /** Called by {@link Clients} for every connection it opens. */
    void opened(WireClient c) {
        connections.add(c);
    }

    /** Every connection the scenario opened, in order, the replaced ones too. */
    List<WireClient> connections() {
        return List.copyOf(connections);
    }

    /** A failure that gives the scenario's servers {@code grace} to be seen as gone. */
    ConformanceFailure failure(String expected, String actual, Duration grace) {
        return new ConformanceFailure(requirements(), expected, actual + serversGone(grace));
    }

    /** Called by {@link Hooks} before each step: the connections that have ended so far. */
    void stepStarts() {
        endedBeforeThisStep = connections.stream().filter(WireClient::isClosedSeen)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    private String serversGone(Duration grace) {
        StringBuilder out = new StringBuilder();
        for (ServerInstance instance : instances.values()) {
            ServerProcess p = instance.remote() != null ? null : instance.current();
            if (p == null || p.stoppedByKit() || p.awaitExit(grace).isEmpty()) {
                continue;
            }
            List<String> err = p.stderr().lines();
            out.append(" (").append(instances.size() == 1 ? "the server" : "server " + instance.label())
                    .append(" ended on its own: ")
                    .append(p.exitStatus().map(s -> "exit status " + s).orElse("exited"))
                    .append(err.isEmpty() ? ", nothing on stderr"
                            : "; its last stderr lines: " + String.join(" | ", err.subList(Math.max(0, err.size() - 3), err.size())))
                    .append(')');
        }
        return out.toString();
    }

    /** Fails unless {@code ok}. */
    public void check(boolean ok, String expected, String actual) {
        if (!ok) {
            throw failure(expected, actual);
        }
    }

    /**
     * Marks the scenario NOT RUN unless the build's command template lets the kit set
     * {@code placeholder}.
     */
    public void require(String placeholder, String why) {
        if (server().remote() != null) {
            throw new Unimplemented("the server under test runs elsewhere (" + server().remote()
                    + ") with settings the kit cannot choose, and this scenario needs {" + placeholder + "} to " + why);
        }
        if (!settings.server().has(placeholder)) {
            throw new Unimplemented("the server command template has no {" + placeholder + "} placeholder, "
                    + "which this scenario needs to " + why);
        }
    }

    /** Records an observation for an informational scenario (reported, never judged). */
    public void observe(String text) {
        observations.add(text);
        scenario.log("observation: " + text);
    }

    public List<String> observations() {
        return List.copyOf(observations);
    }

    // ---------------------------------------------------------------- servers

    /** The scenario's server (started or not). */
    public ServerInstance server() {
        return instances.get(PRIMARY);
    }

    /** Another server of this scenario, created (with its own directory and port) on first use. */
    public ServerInstance instance(String label) {
        if (server().remote() != null) {
            throw new Unimplemented("the server under test runs elsewhere (" + server().remote()
                    + ") and this scenario needs a second server (" + label + ")");
        }
        return instances.computeIfAbsent(label, l -> {
            try {
                String dir = l.replaceAll("[^a-z0-9]+", "-");
                return new ServerInstance(l, Files.createDirectories(root.resolve(dir)), settings.server());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Every server of this scenario, the scenario's own first. */
    public List<ServerInstance> servers() {
        return List.copyOf(instances.values());
    }


    /** Removes the scenario's temporary directory (its servers are stopped by {@link Evidence#close()}). */
    @Override
    public void close() {
        if (root != null) {
            deleteTree(root);
        }
    }

    /** Deletes a directory tree, best effort. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // Best effort: a temp dir left behind is harmless.
        }
    }

    /** Lower-case level tag of this scenario, if any. */
    public Optional<String> level() {
        return scenario.getSourceTagNames().stream().map(t -> t.substring(1).toLowerCase(Locale.ROOT))
                .filter(t -> List.of("must", "should", "may", "informational").contains(t)).findFirst();
    }

    /** {@code d} multiplied by the timescale. */
    public Duration scaled(Duration d) {
        return settings.scaled(d);
    }
}
package org.litsxg.conformance.steps;

import io.cucumber.java.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.litsxg.conformance.support.ClauseCatalog;
import org.litsxg.conformance.support.CommandTemplate;
import org.litsxg.conformance.support.ConformanceFailure;
import org.litsxg.conformance.support.KitSettings;
import org.litsxg.conformance.support.NameAliases;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.RemoteTarget;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.StoreSnapshot;
import org.litsxg.conformance.support.Transcript;
import org.litsxg.conformance.support.Unimplemented;
import org.litsxg.conformance.support.WireClient;

/**
 * Everything one scenario owns: its settings, its servers (each with a fresh temporary
 * directory and a free port), its client connections, and the secrets and message texts it
 * used. Created per scenario by cucumber-picocontainer and injected into every step class;
 * {@link Hooks} closes it after the scenario, attaching every server's output and every
 * client's transcript when the scenario failed.
 *
 * <p>Client labels: {@code alice} is alice's (first) connection; {@code alice#2} a second
 * connection authenticating as the same name.
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
    private final java.time.Instant began = java.time.Instant.now();
    /**
     * Eight random letters and digits, part of every secret the kit makes up, so that a file in a
     * directory shared with other scenarios and programs ({@code /tmp}) can be told to hold this
     * scenario's secrets and not another's.
     */
    private final String token = randomToken();
    private final Map<String, ServerInstance> instances = new LinkedHashMap<>();
    private final Map<String, WireClient> clients = new LinkedHashMap<>();
    private final List<WireClient> allClients = new ArrayList<>();
    private final Map<String, String> secrets = new LinkedHashMap<>();
    private final List<String> messageTexts = new ArrayList<>();
    private final List<String> observations = new ArrayList<>();
    private final Map<String, StoreSnapshot> storeSnapshots = new LinkedHashMap<>();
    private final java.util.Set<String> secretsSeenOnWire = new java.util.LinkedHashSet<>();
    private final Map<String, Integer> messageNumbers = new LinkedHashMap<>();
    private final List<Transcript> transcriptsOfFailedConnects = new ArrayList<>();
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
        boolean ended = allClients.stream().anyMatch(c -> c != null && c.isClosedSeen() && !c.isClosedByKit()
                && !endedBeforeThisStep.contains(c));
        return failure(expected, actual, ended ? settings.scaled(Duration.ofSeconds(1)) : Duration.ZERO);
    }

    private ConformanceFailure failure(String expected, String actual, Duration grace) {
        return new ConformanceFailure(requirements(), expected, actual + serversGone(grace));
    }

    /** Called by {@link Hooks} before each step: the connections that have ended so far. */
    void stepStarts() {
        endedBeforeThisStep = allClients.stream().filter(c -> c != null && c.isClosedSeen())
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

    /** Sets a limit on the scenario's server, or marks the scenario NOT RUN if it cannot be set. */
    public void configure(String placeholder, String value, String why) {
        require(placeholder, why);
        server().set(placeholder, value);
    }

    /** The scenario's server, started first if it is not running. */
    public ServerInstance running() {
        ServerInstance s = server();
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
        if (!p.awaitAccepting(instance.address(), settings.startupTimeout())) {
            Optional<Integer> status = p.exitStatus();
            throw failure(instance.label() + " accepts connections on " + instance.address()
                            + " within " + settings.startupTimeout().toMillis() + " ms of its start",
                    status.map(s -> "it exited with status " + s).orElse("it did not accept a connection")
                            + "; stderr: " + String.join(" | ", p.stderr().lines()));
        }
        // A socket accepts from listen(), a moment before the build can print its ready line
        // (PROC-8): give the line that moment, so that a scenario that stops the server at once
        // does not stop it before it has announced itself. A build that prints none loses half
        // a second a start here and fails PROC-8 where that is checked.
        p.stdout().awaitLine(l -> l.startsWith(ServerSteps.READY), settings.scaled(Duration.ofMillis(500)),
                () -> !p.isAlive());
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
            java.util.function.Consumer<String> stdoutHook) {
        List<String> argv = new ArrayList<>(instance.argv());
        argv.addAll(extraArgs);
        try {
            int n = instance.processes().size() + 1;
            ServerProcess p = ServerProcess.start(instance.label() + "#" + n, argv, instance.workDir(),
                    instance.environment(), origin, stdin, stdoutHook);
            instance.started(p);
            return p;
        } catch (IOException e) {
            throw new Unimplemented("the server command cannot be started at all: " + argv + ": " + e.getMessage());
        }
    }

    /** SIGTERM, bounded wait, SIGKILL; returns the exit status. */
    public Optional<Integer> stop(ServerInstance instance) {
        ServerProcess p = instance.current();
        return p == null ? Optional.empty() : p.terminate(settings.stopTimeout());
    }

    /** A command template for another build (upgrade, rollback). */
    public CommandTemplate previousBuild() {
        return settings.previousServer();
    }

    // ---------------------------------------------------------------- identity store

    /**
     * Reads the scenario server's identity store (if it has one) and keeps it under
     * {@code key}, to compare with a later reading. Call only while the server is stopped.
     */
    public void recordStoreBefore(String key) {
        Path db = server().dataDir().resolve(StoreSnapshot.DATABASE);
        if (!Files.isRegularFile(db)) {
            return;
        }
        storeSnapshots.put(key, readStore(server()));
    }

    /** The identity store recorded under {@code key}, if any. */
    public Optional<StoreSnapshot> recordedStore(String key) {
        return Optional.ofNullable(storeSnapshots.get(key));
    }

    /** Reads an instance's identity store from outside (via a copy); fails the scenario if it cannot. */
    public StoreSnapshot readStore(ServerInstance instance) {
        try {
            Path scratch = Files.createDirectories(root.resolve("scratch"));
            return StoreSnapshot.read(instance.dataDir(), scratch);
        } catch (IOException | java.sql.SQLException e) {
            throw failure("a readable SQLite database " + instance.dataDir().resolve(StoreSnapshot.DATABASE),
                    e.toString());
        }
    }

    // ---------------------------------------------------------------- clients

    /** The identity name behind a client label ({@code alice#2} is alice). */
    public static String nameOf(String label) {
        int hash = label.indexOf('#');
        return hash < 0 ? label : label.substring(0, hash);
    }

    /** The secret the kit uses for {@code name}: fixed per name, 8 to 128 bytes, no spaces. */
    public String secret(String name) {
        return secrets.computeIfAbsent(name, n -> "pw-" + n + "-" + token);
    }

    private static String randomToken() {
        String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        java.security.SecureRandom r = new java.security.SecureRandom();
        StringBuilder sb = new StringBuilder("K7");
        for (int i = 0; i < 8; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** The scenario's random token (see {@link #secret(String)}). */
    public String token() {
        return token;
    }

    /**
     * Every file the scenario's server may have written so far, wherever its user can write
     * ({@link org.litsxg.conformance.support.FileScan}): its own working, data, temporary and
     * home directories, and the files of shared directories that are the build's (held open by
     * it, or holding a secret of this scenario in any of {@code forms}).
     */
    public List<org.litsxg.conformance.support.FileScan.Found> filesOfServer(
            java.util.function.Function<String, java.util.Collection<byte[]>> forms) {
        List<byte[]> markers = new ArrayList<>();
        for (String s : secrets().values()) {
            if (s.contains(token)) {
                markers.addAll(forms.apply(s));
            }
        }
        return org.litsxg.conformance.support.FileScan.scan(server(), began, markers);
    }

    private static final java.util.regex.Pattern SECRET_OF = java.util.regex.Pattern.compile("<secret of ([a-z0-9_-]+)>");

    /**
     * The bytes of a line as a feature writes it: {@code <secret of alice>} becomes alice's
     * secret, then {@link org.litsxg.conformance.support.Escapes} applies.
     */
    public byte[] bytes(String featureText) {
        java.util.regex.Matcher m = SECRET_OF.matcher(featureText);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(secret(m.group(1))));
        }
        m.appendTail(out);
        byte[] b = org.litsxg.conformance.support.Escapes.decode(out.toString());
        if (!aliases.active()) {
            return b;
        }
        // External mode: rename before any step splits the bytes into several writes.
        byte[] line = java.util.Arrays.copyOf(b, b.length + 1);
        line[b.length] = '\n';
        byte[] renamed = aliases.outgoing(line, true);
        return java.util.Arrays.copyOf(renamed, renamed.length - 1);
    }

    /** {@link #bytes} as a string (for text that stays valid UTF-8). */
    public String text(String featureText) {
        return new String(bytes(featureText), StandardCharsets.UTF_8);
    }

    /** Overrides the secret the kit uses for {@code name}. */
    public void secret(String name, String secret) {
        secrets.put(name, secret);
    }

    /** Every secret the scenario used: the kit's own, and any in an AUTH line a client sent. */
    public Map<String, String> secrets() {
        Map<String, String> all = new LinkedHashMap<>(secrets);
        int i = 0;
        for (String s : secretsSeenOnWire) {
            all.putIfAbsent("(sent on the wire " + (++i) + ")", s);
        }
        return Map.copyOf(all);
    }

    /** Remembers the secret of every AUTH line sent (8 bytes or more), for the log and disk checks. */
    private void noteSecrets(byte[] bytes) {
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            String[] t = line.replace("\r", "").split(" ");
            if (t.length >= 3 && t[0].equals("AUTH") && t[2].getBytes(StandardCharsets.UTF_8).length >= 8) {
                secretsSeenOnWire.add(t[2]);
            }
        }
    }

    /**
     * The text of the next numbered message from {@code from} to {@code to}:
     * {@code message <n> from <from>}, counting per sender and recipient from 1.
     */
    public String nextNumberedText(String from, String to) {
        int n = messageNumbers.merge(from + ">" + to, 1, Integer::sum);
        String text = "message " + n + " from " + from;
        sentText(text);
        return text;
    }

    /** Remembers a message text the scenario sent, for the disk and log checks. */
    public void sentText(String text) {
        messageTexts.add(text);
    }

    public List<String> messageTexts() {
        return List.copyOf(messageTexts);
    }

    /** Opens a connection labelled {@code label} to the scenario's server (started if needed). */
    public WireClient connect(String label) {
        return connect(label, running());
    }

    /** Opens a connection labelled {@code label} to {@code instance}; fails if it cannot. */
    public WireClient connect(String label, ServerInstance instance) {
        WireClient old = clients.get(label);
        if (old != null && !old.isClosedByKit()) {
            old.close();
        }
        return open(label, instance, 0);
    }

    /** Opens a connection that has stopped reading: small receive buffer, reader paused. */
    public WireClient connectNonReading(String label) {
        return open(label, running(), WireClient.NON_READING_RECEIVE_BUFFER);
    }

    /**
     * Connects {@code label} to {@code instance} (directly, or to a server elsewhere under the
     * scenario's names) and keeps it; fails the scenario if it cannot.
     *
     * @param receiveBuffer the socket receive buffer in bytes, or 0 for the system's default
     */
    private WireClient open(String label, ServerInstance instance, int receiveBuffer) {
        Transcript t = new Transcript(label, origin);
        try {
            WireClient c = instance.remote() != null
                    ? WireClient.connect(label, instance.remote(), settings.replyTimeout(), t, receiveBuffer, false, aliases)
                    : WireClient.connect(label, instance.address(), settings.replyTimeout(), t, receiveBuffer, false);
            clients.put(label, c);
            allClients.add(c);
            return c;
        } catch (IOException e) {
            allClients.add(null);
            transcriptsOfFailedConnects.add(t);
            throw failure("a TCP connection to " + instance.label() + " at "
                            + (instance.remote() != null ? instance.remote() : instance.address()),
                    "connect failed: " + e.getMessage());
        }
    }

    /** The open connection labelled {@code label}. */
    public WireClient client(String label) {
        WireClient c = clients.get(label);
        if (c == null) {
            throw new IllegalStateException("no connection labelled " + label + " in this scenario");
        }
        return c;
    }

    public boolean hasClient(String label) {
        return clients.containsKey(label);
    }

    public List<WireClient> clients() {
        return List.copyOf(clients.values());
    }

    /** Sends a line; a write error fails the scenario with the clauses quoted. */
    public void send(WireClient c, byte[] bytes) {
        noteSecrets(bytes);
        try {
            c.sendBytes(bytes);
        } catch (IOException e) {
            // A write that fails is a connection lost: the same grace as for one seen to end.
            throw failure(c.name() + " can write \"" + Transcript.render(bytes) + "\"",
                    "the write failed: " + e.getMessage(), settings.scaled(Duration.ofSeconds(1)));
        }
    }

    /** Sends {@code line} + LF. */
    public void sendLine(WireClient c, String line) {
        send(c, (line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends AUTH for {@code label}'s name and checks the reply's first two tokens are
     * {@code expected} ({@code OK registered} or {@code OK authenticated}).
     */
    public void authenticate(WireClient c, String expected) {
        String name = nameOf(c.name());
        sendLine(c, "AUTH " + name + " " + secret(name));
        expectReply(c, expected);
    }

    /** Registers {@code name} on a connection of its own, then quits: the name is known and offline. */
    public void register(String name) {
        WireClient c = connect(name + "#registration");
        authenticate(c, "OK registered");
        sendLine(c, "QUIT");
        expectReply(c, "OK bye");
        expectClosed(c);
    }

    /** Takes the next reply (holding back MSG lines) and checks its first tokens. */
    public Received.Line expectReply(WireClient c, String expected) {
        Received r = c.nextReply(settings.replyTimeout());
        int tokens = expected.split(" ").length;
        if (r instanceof Received.Line line && line.firstTokens(tokens).equals(expected)) {
            return line;
        }
        throw failure(c.name() + " receives a reply starting \"" + expected + "\"", c.name() + " got " + r);
    }

    /** Takes the next MSG line (holding back replies) and checks it exactly. */
    public void expectMessage(WireClient c, String expected) {
        Received r = c.nextMessage(settings.replyTimeout());
        if (r instanceof Received.Line line && line.text().equals(expected)) {
            return;
        }
        throw failure(c.name() + " receives \"" + expected + "\"", c.name() + " got " + r);
    }

    /**
     * The protocol barrier: sends PING and checks that the very next line is PONG, so nothing
     * (no reply, no message) was pending before it.
     */
    public void barrier(WireClient c, String what) {
        if (c.hasHeldLines()) {
            throw failure(what, c.name() + " had already received " + c.heldLines());
        }
        sendLine(c, "PING");
        Received r = c.next(settings.replyTimeout());
        if (r instanceof Received.Line line && line.text().equals("PONG")) {
            return;
        }
        throw failure(what + " (the next line after a PING is its PONG)", c.name() + " got " + r);
    }

    /** Checks that the next thing on the connection is its end. */
    public void expectClosed(WireClient c) {
        Received r = c.next(settings.replyTimeout());
        if (r instanceof Received.Closed) {
            return;
        }
        throw failure("the server closes " + c.name() + "'s connection", c.name() + " got " + r);
    }

    // ---------------------------------------------------------------- lifecycle

    /** Attaches every server's output and every client's transcript to the scenario report. */
    void attachEvidence() {
        for (ServerInstance i : instances.values()) {
            for (ServerProcess p : i.processes()) {
                scenario.attach(p.report().getBytes(StandardCharsets.UTF_8), "text/plain",
                        "server output: " + p.label());
            }
        }
        for (WireClient c : allClients) {
            if (c != null) {
                scenario.attach(c.transcript().text().getBytes(StandardCharsets.UTF_8), "text/plain",
                        "transcript: " + c.name());
            }
        }
        for (Transcript t : transcriptsOfFailedConnects) {
            scenario.attach(t.text().getBytes(StandardCharsets.UTF_8), "text/plain", "transcript: failed connect");
        }
    }

    /** Closes every connection and stops every server (TERM, bounded wait, KILL). */
    void shutdown() {
        for (WireClient c : allClients) {
            if (c != null) {
                c.close();
            }
        }
        for (ServerInstance i : instances.values()) {
            i.close();
        }
    }

    /** Shuts down, then removes the scenario's temporary directory. */
    @Override
    public void close() {
        shutdown();
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

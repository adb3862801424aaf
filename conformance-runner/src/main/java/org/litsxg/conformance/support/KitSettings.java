package org.litsxg.conformance.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * The kit's configuration: which build to start and how patient to be.
 *
 * <p>Keys (JVM system properties, falling back to {@code junit-platform.properties} on the
 * class path, then to the defaults below):
 * <ul>
 *   <li>{@code litsxg.server}: the command template of the build under test (see
 *       {@link CommandTemplate}). Default: the reference server jar named by
 *       {@code litsxg.reference.jar} (default {@code src/target/litsxg.jar} below the working
 *       directory), started with every placeholder as a flag.</li>
 *   <li>{@code litsxg.previous-server}: the template of the build an upgrade starts from (and a
 *       rollback returns to). Default: the build under test itself.</li>
 *   <li>{@code litsxg.timescale}: a factor applied to every timeout and quiet period
 *       (default 1.0; raise it on a slow machine).</li>
 *   <li>{@code litsxg.startup-timeout}: seconds a build may take to accept its first
 *       connection, or to exit when it cannot start (default 30), before the timescale.</li>
 *   <li>{@code litsxg.address} ({@code host:port}): external mode. The server under test
 *       already runs there; scenarios speak to it, and those that must start, stop or
 *       configure a server, or read its files or output, run locally from
 *       {@code litsxg.server} when that is set explicitly, else are NOT RUN.</li>
 *   <li>{@code litsxg.onion} ({@code host:port}) with {@code litsxg.socks}
 *       ({@code host:port}): external mode through a SOCKS5 proxy (Tor), which resolves the
 *       host name.</li>
 *   <li>{@code litsxg.keep-evidence}: {@code true} to attach the transcripts and server output of
 *       passing scenarios too (verify-upgrade and matrix compare them); default false.</li>
 * </ul>
 *
 * <p>Immutable. A launcher builds one ({@link #forServer}, then the {@code with...} methods)
 * and hands it to its run's scenarios (see {@code report.KitRun}); only {@code mvn verify}'s
 * suite reads it from system properties ({@link #fromEnvironment}).
 */
public final class KitSettings {

    public static final String SERVER = "litsxg.server";
    public static final String PREVIOUS_SERVER = "litsxg.previous-server";
    public static final String TIMESCALE = "litsxg.timescale";
    public static final String STARTUP_TIMEOUT = "litsxg.startup-timeout";
    public static final String REFERENCE_JAR = "litsxg.reference.jar";
    /** A class-data-sharing archive of the reference jar (see ReferenceWarmup); optional. */
    public static final String REFERENCE_CDS = "litsxg.reference.cds";
    public static final String ADDRESS = "litsxg.address";
    public static final String SOCKS = "litsxg.socks";
    public static final String ONION = "litsxg.onion";
    public static final String KEEP_EVIDENCE = "litsxg.keep-evidence";

    /** The template flags of the reference server, after {@code java -jar <jar> server}. */
    public static final String REFERENCE_FLAGS = "--bind {bind} --port {port} --data-dir {data_dir}"
            + " --max-queued {max_queued} --max-connections {max_connections}"
            + " --auth-timeout {auth_timeout} --max-pending-bytes {max_pending_bytes}"
            + " --log-level {log_level}"
            // A lower key-derivation cost than the default: every scenario starts a cold JVM, where
            // the default PBKDF2 cost is about half a second of interpreted CPU per registration.
            // Each row stores its own parameters, so nothing on the wire or in the schema differs.
            + " --pbkdf2-iterations 1000";

    private final CommandTemplate server;
    private final CommandTemplate previousServer;
    private final double timescale;
    private final Duration startupTimeout;
    private final RemoteTarget remote;
    private final boolean localServer;
    private final boolean keepEvidence;

    public KitSettings(CommandTemplate server, CommandTemplate previousServer, double timescale,
            Duration startupTimeout) {
        this(server, previousServer, timescale, startupTimeout, null, true);
    }

    /**
     * @param remote the server under test when the kit does not start it, or null
     * @param localServer whether {@code server} may be started for the scenarios that need a
     *     server of their own (always true without {@code remote})
     */
    public KitSettings(CommandTemplate server, CommandTemplate previousServer, double timescale,
            Duration startupTimeout, RemoteTarget remote, boolean localServer) {
        this(server, previousServer, timescale, startupTimeout, remote, localServer, false);
    }

    private KitSettings(CommandTemplate server, CommandTemplate previousServer, double timescale,
            Duration startupTimeout, RemoteTarget remote, boolean localServer, boolean keepEvidence) {
        if (!(timescale > 0)) {
            throw new IllegalArgumentException(TIMESCALE + " must be > 0, was " + timescale);
        }
        this.server = server;
        this.previousServer = previousServer == null ? server : previousServer;
        this.timescale = timescale;
        this.startupTimeout = startupTimeout;
        this.remote = remote;
        this.localServer = remote == null || localServer;
        this.keepEvidence = keepEvidence;
    }

    /** Settings from system properties, then {@code junit-platform.properties}, then defaults. */
    public static KitSettings fromEnvironment() {
        Properties file = new Properties();
        try (InputStream in = KitSettings.class.getClassLoader()
                .getResourceAsStream("junit-platform.properties")) {
            if (in != null) {
                file.load(in);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read junit-platform.properties", e);
        }
        return from(key -> Optional.ofNullable(System.getProperty(key))
                .or(() -> Optional.ofNullable(file.getProperty(key)))
                .filter(v -> !v.isBlank()));
    }

    /** Settings from any key lookup (a CLI's options, a test's map). */
    public static KitSettings from(Function<String, Optional<String>> lookup) {
        String template = lookup.apply(SERVER).orElseGet(() -> referenceTemplate(
                lookup.apply(REFERENCE_JAR).orElse(Path.of("src", "target", "litsxg.jar")
                        .toAbsolutePath().toString()), lookup.apply(REFERENCE_CDS).orElse(null)));
        CommandTemplate server = CommandTemplate.parse(template);
        CommandTemplate previous = lookup.apply(PREVIOUS_SERVER).map(CommandTemplate::parse).orElse(null);
        double scale = lookup.apply(TIMESCALE).map(Double::parseDouble).orElse(1.0);
        double startup = lookup.apply(STARTUP_TIMEOUT).map(Double::parseDouble).orElse(30.0);
        Optional<String> address = lookup.apply(ADDRESS);
        Optional<String> onion = lookup.apply(ONION);
        Optional<String> socks = lookup.apply(SOCKS);
        if (address.isPresent() && onion.isPresent()) {
            throw new IllegalArgumentException(ADDRESS + " and " + ONION + " exclude each other");
        }
        if (onion.isPresent() != socks.isPresent()) {
            throw new IllegalArgumentException(ONION + " and " + SOCKS + " go together");
        }
        RemoteTarget remote = address.map(RemoteTarget::direct)
                .or(() -> onion.map(o -> RemoteTarget.viaSocks(o, socks.get()))).orElse(null);
        boolean local = remote == null || lookup.apply(SERVER).isPresent();
        boolean keep = lookup.apply(KEEP_EVIDENCE).map(Boolean::parseBoolean).orElse(false);
        return new KitSettings(server, previous, scale, Duration.ofMillis((long) (startup * 1000)), remote, local,
                keep);
    }

    /** The defaults for the build started by {@code template}. */
    public static KitSettings forServer(String template) {
        return from(key -> key.equals(SERVER) ? Optional.of(template) : Optional.empty());
    }

    /** These settings with the build an upgrade starts from (and a rollback returns to). */
    public KitSettings withPreviousServer(String template) {
        return new KitSettings(server, CommandTemplate.parse(template), timescale, startupTimeout, remote,
                localServer, keepEvidence);
    }

    /** These settings with {@code factor} on every timeout and quiet period. */
    public KitSettings withTimescale(double factor) {
        return new KitSettings(server, previousServer, factor, startupTimeout, remote, localServer, keepEvidence);
    }

    /** These settings with {@code timeout} (before the timescale) for a build to start. */
    public KitSettings withStartupTimeout(Duration timeout) {
        return new KitSettings(server, previousServer, timescale, timeout, remote, localServer, keepEvidence);
    }

    /**
     * External mode: the server under test runs at {@code target}; {@code local} whether
     * {@link #server()} may be started for the scenarios that need a server of their own.
     */
    public KitSettings withRemote(RemoteTarget target, boolean local) {
        return new KitSettings(server, previousServer, timescale, startupTimeout, target, local, keepEvidence);
    }

    /** These settings attaching the evidence of passing scenarios too ({@code keep}) or not. */
    public KitSettings withKeepEvidence(boolean keep) {
        return new KitSettings(server, previousServer, timescale, startupTimeout, remote, localServer, keep);
    }

    /**
     * The JVM options of the reference server in the default template, and of the warm-up run
     * that writes its class-data archive (the two must match: an archive written under other
     * JIT flags made key derivation several times slower). They only make the few hundred
     * short-lived server JVMs of a run cheaper on a small machine and change nothing the kit
     * observes: the serial collector; C1 only; and methods compiled after five times the
     * default count of calls, so a start compiles about half as many (C1 compiled some 300
     * methods in every start, a fifth of its CPU) while the hot loops of the heavy scenarios
     * still compile within their first milliseconds.
     */
    public static final List<String> REFERENCE_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:Tier3InvocationThreshold=1000", "-XX:Tier3MinInvocationThreshold=500",
            "-XX:Tier3CompileThreshold=10000");

    /** The default template for the reference server jar at {@code jar}. */
    public static String referenceTemplate(String jar) {
        return referenceTemplate(jar, null);
    }

    /** As {@link #referenceTemplate(String)}, mapping the class-data-sharing archive {@code cds} if given. */
    public static String referenceTemplate(String jar, String cds) {
        String share = cds == null ? "" : "-XX:SharedArchiveFile=" + quote(cds) + " -Xlog:disable ";
        return "java " + String.join(" ", REFERENCE_JVM_OPTIONS) + " " + share + "-jar " + quote(jar) + " server " + REFERENCE_FLAGS;
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    public CommandTemplate server() {
        return server;
    }

    /** The server under test when the kit does not start it (external mode). */
    public Optional<RemoteTarget> remote() {
        return Optional.ofNullable(remote);
    }

    /** Whether the kit may start {@link #server()} for scenarios that need a server of their own. */
    public boolean localServer() {
        return localServer;
    }

    /** Whether passing scenarios get their transcripts and server output attached too. */
    public boolean keepEvidence() {
        return keepEvidence;
    }

    public CommandTemplate previousServer() {
        return previousServer;
    }

    public double timescale() {
        return timescale;
    }

    /** {@code d} multiplied by the timescale. */
    public Duration scaled(Duration d) {
        return Duration.ofNanos((long) (d.toNanos() * timescale));
    }

    /** How long a build may take to accept connections, or to exit when it cannot start. */
    public Duration startupTimeout() {
        return scaled(startupTimeout);
    }

    /** How long the kit waits for a reply, a message or a close it expects. */
    public Duration replyTimeout() {
        return scaled(Duration.ofSeconds(10));
    }

    /** How long the kit watches for a line it expects never to arrive. */
    public Duration quietPeriod() {
        return scaled(Duration.ofMillis(400));
    }

    /** How long a stopped build may take to exit after SIGTERM before it gets SIGKILL. */
    public Duration stopTimeout() {
        return scaled(Duration.ofSeconds(10));
    }

    @Override
    public String toString() {
        return (remote == null ? "" : "remote=" + remote + (localServer ? ", local " : ", no local "))
                + "server=" + server + ", previous=" + previousServer + ", timescale=" + timescale
                + ", startup-timeout=" + startupTimeout.toMillis() + "ms";
    }
}

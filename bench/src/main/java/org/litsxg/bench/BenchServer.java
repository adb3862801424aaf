package org.litsxg.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server under test, started by the benchmark as a process of its own on a loopback port:
 * the Litsxg reference server from its jar, or ngircd, InspIRCd or Ergo with a configuration
 * generated for the run (each like the others: loopback only, no flood throttle, no ident or
 * DNS look-ups, no connection limits, no TLS). Measures the time from launch to listening (the
 * first TCP connect that succeeds, polled every millisecond: the same rule for all), and reads
 * the process's resident memory, CPU time and, for the JVM, its live heap after a forced full
 * GC. {@link #close()} sends SIGTERM, waits at most 10 s, then kills, and deletes the temporary
 * directory. This is the one way the benchmarks start a server.
 */
final class BenchServer implements AutoCloseable {
    /** Which server. */
    enum Kind {
        LITSXG("litsxg", Dialect.LITSXG, LoadEngine.REGISTER_WINDOW), NGIRCD("ngircd", Dialect.IRC, LoadEngine.REGISTER_WINDOW),
        INSPIRCD("inspircd", Dialect.IRC, 1000), ERGO("ergo", Dialect.IRC, LoadEngine.REGISTER_WINDOW);

        final String label;
        final Dialect dialect;
        /**
         * Registrations the generator keeps in flight. InspIRCd completes a registration only in
         * its once-a-second background sweep, by design (so every one takes up to a second,
         * whatever the load): with the usual 8 in flight, 1,000 clients would take two minutes to
         * register. Its accept backlog is configured to 4096, above this window.
         */
        final int registerWindow;

        Kind(String label, Dialect dialect, int registerWindow) {
            this.label = label;
            this.dialect = dialect;
            this.registerWindow = registerWindow;
        }

        static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.label.equalsIgnoreCase(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown target " + s + " (" + ServerOptions.ALL_TARGETS + ")");
        }

        /** Why this server cannot run here, or null when it can. */
        String unavailable(ServerOptions o) {
            return switch (this) {
                case LITSXG -> Files.isRegularFile(o.serverJar()) ? null : "no server jar at " + o.serverJar() + " (./litsxg builds it)";
                case NGIRCD -> Files.isExecutable(Path.of(o.ngircd)) ? null : "no ngircd at " + o.ngircd + " (apt-get install ngircd)";
                case INSPIRCD -> Files.isExecutable(Path.of(o.inspircd)) ? null
                        : "no InspIRCd at " + o.inspircd + " (apt-get install inspircd)";
                case ERGO -> ergoUnavailable(o.ergo);
            };
        }
    }

    /** How to start the servers. */
    record Settings(ServerOptions options, int maxConnections, int maxQueued, int authTimeoutSeconds, int startTimeoutSeconds) {
        Settings withJvmOptions(List<String> jvm) {
            ServerOptions o = new ServerOptions();
            o.jvmOptions = jvm;
            o.serverJar = options.serverJar();
            o.ngircd = options.ngircd;
            o.inspircd = options.inspircd;
            o.ergo = options.ergo;
            o.configDir = options.configDir;
            return new Settings(o, maxConnections, maxQueued, authTimeoutSeconds, startTimeoutSeconds);
        }
    }

    final Kind kind;
    final InetSocketAddress address;
    final long launchToListeningNanos;
    private final Process process;
    private final Path dir;

    private BenchServer(Kind kind, InetSocketAddress address, long launchToListeningNanos, Process process, Path dir) {
        this.kind = kind;
        this.address = address;
        this.launchToListeningNanos = launchToListeningNanos;
        this.process = process;
        this.dir = dir;
    }

    /** Starts a server and returns once it accepts TCP connections. Blocks up to the start timeout. */
    static BenchServer start(Kind kind, Settings settings) throws IOException, InterruptedException {
        return start(kind, settings, null);
    }

    /**
     * As {@link #start(Kind, Settings)}; for Litsxg, {@code dataDir} (when not null) is the data
     * directory to use as it is (kept afterwards), instead of a fresh empty one.
     */
    static BenchServer start(Kind kind, Settings settings, Path dataDir) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("litsxg-bench-" + kind.label);
        int port = freePort();
        List<String> cmd = switch (kind) {
            case LITSXG -> litsxgCommand(settings, dataDir != null ? dataDir : dir.resolve("data"), port);
            case NGIRCD -> PeerConfigs.ngircdCommand(settings, dir, port);
            case INSPIRCD -> PeerConfigs.inspircdCommand(settings, dir, port);
            case ERGO -> PeerConfigs.ergoCommand(settings, dir, port);
        };
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .redirectError(dir.resolve("stderr.log").toFile());
        long t0 = System.nanoTime();
        Process process = pb.start();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        if (!awaitListening(process, address, t0 + TimeUnit.SECONDS.toNanos(settings.startTimeoutSeconds()))) {
            process.destroyForcibly();
            String err = Files.readString(dir.resolve("stderr.log")) + Files.readString(dir.resolve("stdout.log"));
            deleteTree(dir);
            throw new IOException(kind.label + " did not start listening: " + lastLine(err));
        }
        long listening = System.nanoTime() - t0;
        return new BenchServer(kind, address, listening, process, dir);
    }

    /**
     * Polls {@code address} with TCP connects every millisecond until one succeeds (true), or the
     * process exits or {@code deadline} ({@link System#nanoTime()}) passes (false). The launch to
     * listening time is measured by this rule for every server alike, to the millisecond; the
     * conformance kit's readiness wait (Awaitility, 5 ms) is not used here: this module does not
     * depend on the kit, and the kit's coarser poll would blur the start-up figures.
     */
    private static boolean awaitListening(Process process, InetSocketAddress address, long deadline)
            throws InterruptedException {
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(address, 1000);
                return true;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(1);
            }
        }
    }

    private static List<String> litsxgCommand(Settings s, Path data, int port) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(s.options().jvmOptions);
        cmd.addAll(List.of("-jar", s.options().serverJar().toString(), "server", "--bind", "127.0.0.1", "--port", String.valueOf(port),
                "--data-dir", data.toString(),
                "--max-connections", String.valueOf(s.maxConnections()),
                "--max-queued", String.valueOf(s.maxQueued()),
                "--pbkdf2-iterations", "1000",
                "--auth-timeout", String.valueOf(s.authTimeoutSeconds())));
        return cmd;
    }

    /**
     * Null when {@code binary} is the Ergo IRC server ({@code ergo version} prints
     * {@code ergo-<version>}); else why not. Debian 12's package {@code ergo} is a different
     * program (ErgoSCF, quantum chemistry), which this tells apart.
     */
    static String ergoUnavailable(String binary) {
        if (!Files.isExecutable(Path.of(binary))) {
            return "no Ergo IRC server at " + binary + " (Debian 12 has no package of it; its 'ergo' is ErgoSCF, "
                    + "a quantum chemistry program; give one with --ergo PATH)";
        }
        String v = version(List.of(binary, "version"));
        return v.startsWith("ergo-") ? null : binary + " is not the Ergo IRC server ('" + binary + " version' printed: "
                + BenchMain.oneLine(v.length() > 60 ? v.substring(0, 60) : v) + ")";
    }

    /** The first line a version command prints (stdout and stderr), "" when it fails; bounded to 10 s. */
    static String version(List<String> cmd) {
        String out = BoundedCommand.output(cmd, 10).strip();
        int nl = out.indexOf('\n');
        return nl < 0 ? out : out.substring(0, nl);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Resident memory from {@code /proc/<pid>/status}, KiB; -1 when unreadable. */
    long rssKib() {
        return ProcStats.statusField(process.pid(), "VmRSS:");
    }

    /** CPU time (user + system) the server has used so far, in milliseconds; -1 when unreadable. */
    long cpuMillis() {
        return ProcStats.cpuMillis(process.pid());
    }

    /**
     * Live heap of the Litsxg server after a forced full GC ({@code jcmd <pid> GC.run}, then
     * {@code GC.heap_info}), KiB; -1 for ngircd or when jcmd fails. Blocks for the two jcmd runs.
     */
    long heapAfterGcKib() {
        return kind == Kind.LITSXG ? ProcStats.heapAfterGcKib(process.pid()) : -1;
    }

    /** The server's stderr so far (for a failed run). */
    String stderr() {
        try {
            return Files.readString(dir.resolve("stderr.log"));
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * One client's session on a blocking socket: registers {@code name}, waits for the answer,
     * sends a PING and returns once the answer is read, so the server has accepted, registered
     * and answered a client (and loaded what that takes). (The PING waits for the registration:
     * InspIRCd does not answer one from an unregistered client.) Bounded: 10 s to connect, 30 s
     * for each answer. Benchmarks use it where they need a server that has served a client,
     * instead of a pause.
     */
    void serveOneClient(String name) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(address, 10_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(kind.dialect.register(name));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            await(in, out, Dialect.Event.REGISTERED, "registering " + name);
            out.write(kind.dialect.ping());
            out.flush();
            await(in, out, Dialect.Event.PONG, "answering PING");
        }
    }

    /** Reads lines until one means {@code event} (answering a server's PING on the way). */
    private void await(BufferedReader in, OutputStream out, Dialect.Event event, String what) throws IOException {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            byte[] b = line.getBytes(StandardCharsets.US_ASCII);
            Dialect.Event e = kind.dialect.classify(b, 0, b.length);
            if (e == event) {
                return;
            }
            if (e == Dialect.Event.SERVER_PING) {
                out.write(Dialect.pongFor(b, 0, b.length));
                out.flush();
            } else if (e == Dialect.Event.ERROR) {
                throw new IOException(kind.label + " refused " + what + ": " + line);
            }
        }
        throw new IOException(kind.label + " closed the connection before " + what);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        deleteTree(dir);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

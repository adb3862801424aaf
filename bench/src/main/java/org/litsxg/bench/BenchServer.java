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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final Pattern HEAP_USED = Pattern.compile("used\\s+(\\d+)K");
    private static final long CLOCK_TICKS_PER_SECOND = 100;

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
            case NGIRCD -> ngircdCommand(settings, dir, port);
            case INSPIRCD -> inspircdCommand(settings, dir, port);
            case ERGO -> ergoCommand(settings, dir, port);
        };
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .redirectError(dir.resolve("stderr.log").toFile());
        long t0 = System.nanoTime();
        Process process = pb.start();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        long deadline = t0 + TimeUnit.SECONDS.toNanos(settings.startTimeoutSeconds());
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(address, 1000);
                break;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    String err = Files.readString(dir.resolve("stderr.log")) + Files.readString(dir.resolve("stdout.log"));
                    deleteTree(dir);
                    throw new IOException(kind.label + " did not start listening: " + lastLine(err));
                }
                Thread.sleep(1);
            }
        }
        long listening = System.nanoTime() - t0;
        return new BenchServer(kind, address, listening, process, dir);
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
     * ngircd in the foreground ({@code -n}) with a generated configuration: loopback only, PAM,
     * ident and DNS off, no per-IP connection cap, nicknames up to 31 characters, and
     * {@code MaxPenaltyTime = 0} so that its flood throttle does not distort throughput.
     */
    private static List<String> ngircdCommand(Settings s, Path dir, int port) throws IOException {
        Path motd = dir.resolve("motd");
        Files.writeString(motd, "");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(motd, PosixFilePermissions.fromString("rw-r--r--"));
        Path conf = dir.resolve("ngircd.conf");
        Files.writeString(conf, String.join("\n",
                "[Global]",
                "Name = bench.litsxg.local",
                "Info = litsxg bench",
                "Listen = 127.0.0.1",
                "Ports = " + port,
                "MotdFile = " + motd,
                "PidFile = " + dir.resolve("ngircd.pid"),
                "[Limits]",
                "MaxConnections = 0",
                "MaxConnectionsIP = 0",
                "MaxNickLength = 31",
                "MaxPenaltyTime = 0",
                "PingTimeout = 3600",
                "PongTimeout = 3600",
                "[Options]",
                "PAM = no",
                "Ident = no",
                "DNS = no",
                "") + "\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
        s.options().keep("ngircd.conf", conf);
        return List.of(s.options().ngircd, "--nodaemon", "--config", conf.toString());
    }

    /**
     * InspIRCd 3 in the foreground with a generated configuration: one client listener on
     * loopback; one connect class for everyone with no per-IP or class limit
     * ({@code localmax}/{@code globalmax}/{@code limit}), no flood control (a command rate and
     * penalty threshold far beyond any run, {@code fakelag="no"}; the threshold is 10^6, not
     * more: with 10^9 the senders stalled, 28k msg/s instead of 128k with 300 clients,
     * presumably an overflow since InspIRCd multiplies it by 1,000), send and receive queues of
     * 64 MiB (a recipient under load must not be dropped), no DNS look-up
     * ({@code resolvehostnames="no"}; the ident module is not loaded, so no ident), pings an
     * hour apart, an accept backlog of 4096 and no clone check at connect. As root it needs
     * {@code --runasroot}.
     */
    private static List<String> inspircdCommand(Settings s, Path dir, int port) throws IOException {
        Path motd = dir.resolve("motd");
        Files.writeString(motd, "");
        Path conf = dir.resolve("inspircd.conf");
        int limit = Math.max(1_000_000, s.maxConnections());
        Files.writeString(conf, String.join("\n",
                "<server name=\"bench.litsxg.local\" description=\"litsxg bench\" network=\"Bench\">",
                "<admin name=\"bench\" nick=\"bench\" email=\"bench@localhost\">",
                "<bind address=\"127.0.0.1\" port=\"" + port + "\" type=\"clients\">",
                "<pid file=\"" + dir.resolve("inspircd.pid") + "\">",
                "<connect name=\"bench\" allow=\"*\" timeout=\"3600\" pingfreq=\"3600\" hardsendq=\"64M\" softsendq=\"64M\""
                        + " recvq=\"64M\" threshold=\"1000000\" commandrate=\"1000000000\" fakelag=\"no\""
                        + " localmax=\"" + limit + "\" globalmax=\"" + limit + "\" limit=\"" + limit + "\""
                        + " maxconnwarn=\"no\" resolvehostnames=\"no\" useident=\"no\">",
                "<performance netbuffersize=\"65536\" somaxconn=\"4096\" softlimit=\"" + limit + "\" clonesonconnect=\"no\""
                        + " quietbursts=\"yes\">",
                "<limits maxnick=\"31\">",
                "<files motd=\"" + motd + "\">",
                "<log method=\"file\" type=\"* -USERINPUT -USEROUTPUT\" level=\"default\" target=\"" + dir.resolve("ircd.log") + "\">",
                ""), StandardCharsets.US_ASCII);
        s.options().keep("inspircd.conf", conf);
        return List.of(s.options().inspircd, "--nofork", "--runasroot", "--config=" + conf);
    }

    /**
     * Ergo (the Go IRC server) with a generated configuration: one plaintext listener on
     * loopback, no TLS; {@code fakelag} off, per-IP connection limits and throttling off, no
     * reverse DNS or ident, no IP cloaking, no history, a send queue of 64 MiB. NOT RUN on the
     * machine this was written on (no Ergo package in Debian 12; see BENCHMARKS.md), so this
     * configuration has not been exercised yet.
     */
    private static List<String> ergoCommand(Settings s, Path dir, int port) throws IOException, InterruptedException {
        Path conf = dir.resolve("ergo.yaml");
        Files.writeString(conf, String.join("\n",
                "network:",
                "    name: Bench",
                "server:",
                "    name: bench.litsxg.local",
                "    listeners:",
                "        \"127.0.0.1:" + port + "\": {}",
                "    casemapping: ascii",
                "    enforce-utf8: false",
                "    lookup-hostnames: false",
                "    forward-confirm-hostnames: false",
                "    check-ident: false",
                "    max-sendq: 64M",
                "    relaymsg:",
                "        enabled: false",
                "    compatibility:",
                "        force-trailing: true",
                "        allow-truncation: true",
                "    ip-limits:",
                "        count: false",
                "        throttle: false",
                "    ip-cloaking:",
                "        enabled: false",
                "accounts:",
                "    authentication-enabled: false",
                "    registration:",
                "        enabled: false",
                "    nick-reservation:",
                "        enabled: false",
                "    multiclient:",
                "        enabled: false",
                "channels:",
                "    default-modes: +nt",
                "    registration:",
                "        enabled: false",
                "lock-file: \"" + dir.resolve("ircd.lock") + "\"",
                "datastore:",
                "    path: \"" + dir.resolve("ircd.db") + "\"",
                "    autoupgrade: true",
                "languages:",
                "    enabled: false",
                "limits:",
                "    nicklen: 32",
                "    identlen: 20",
                "    realnamelen: 150",
                "    channellen: 64",
                "    awaylen: 390",
                "    kicklen: 390",
                "    topiclen: 390",
                "    monitor-entries: 100",
                "    whowas-entries: 100",
                "    chan-list-modes: 100",
                "    registration-messages: 1024",
                "    multiline:",
                "        max-bytes: 0",
                "        max-lines: 0",
                "fakelag:",
                "    enabled: false",
                "history:",
                "    enabled: false",
                "logging:",
                "    -",
                "        method: stderr",
                "        type: \"* -userinput -useroutput\"",
                "        level: warn",
                ""), StandardCharsets.US_ASCII);
        s.options().keep("ergo.yaml", conf);
        // The datastore is created by `ergo initdb` (older versions do not create it on `run`).
        Process init = new ProcessBuilder(s.options().ergo, "initdb", "--conf", conf.toString(), "--quiet")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("initdb.log").toFile()).start();
        if (!init.waitFor(60, TimeUnit.SECONDS)) {
            init.destroyForcibly();
        }
        return List.of(s.options().ergo, "run", "--conf", conf.toString());
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
        try {
            // In a scratch directory: a binary that is not what its name says (Debian's /usr/bin/ergo
            // is ErgoSCF, a chemistry program) may write files where it runs (ergoscf.out).
            java.nio.file.Path scratch = java.nio.file.Files.createTempDirectory("litsxg-bench-version");
            Process p = new ProcessBuilder(cmd).directory(scratch.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int nl = out.indexOf('\n');
            return nl < 0 ? out : out.substring(0, nl);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Resident memory from {@code /proc/<pid>/status}, KiB; -1 when unreadable. */
    long rssKib() {
        return statusField(process.pid(), "VmRSS:");
    }

    /** CPU time (user + system) the server has used so far, in milliseconds; -1 when unreadable. */
    long cpuMillis() {
        return cpuMillis(process.pid());
    }

    static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
            return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long statusField(long pid, String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (l.startsWith(field)) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Live heap of the Litsxg server after a forced full GC ({@code jcmd <pid> GC.run}, then
     * {@code GC.heap_info}), KiB; -1 for ngircd or when jcmd fails. Blocks for the two jcmd runs.
     */
    long heapAfterGcKib() {
        return kind == Kind.LITSXG ? heapAfterGcKib(process.pid()) : -1;
    }

    /** Live heap of the JVM {@code pid} after a forced full GC, KiB; -1 when jcmd fails. */
    static long heapAfterGcKib(long pid) {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        long used = 0;
        boolean found = false;
        // G1 and Serial print one "used NK" on the heap's first line; Serial also prints per generation.
        for (String line : info.split("\n")) {
            String t = line.trim();
            if (t.startsWith("garbage-first heap") || t.startsWith("def new generation") || t.startsWith("tenured generation")
                    || t.startsWith("PSYoungGen") || t.startsWith("ParOldGen")) {
                Matcher m = HEAP_USED.matcher(t);
                if (m.find()) {
                    used += Long.parseLong(m.group(1));
                    found = true;
                }
            }
        }
        return found ? used : -1;
    }

    static String jcmd(long pid, String what) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", String.valueOf(pid), what)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "";
            }
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
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

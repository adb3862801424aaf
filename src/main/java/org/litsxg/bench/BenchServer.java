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
import org.litsxg.ExitCodes;
import org.litsxg.StartupException;

/**
 * A server under test, started by the benchmark as a process of its own on a loopback port:
 * the Litsxg reference server from this jar, or ngircd with a generated configuration. Measures
 * the time from launch to listening (the first TCP connect that succeeds, polled every
 * millisecond: the same rule for both), and reads the process's resident memory, CPU time and,
 * for the JVM, its live heap after a forced full GC. {@link #close()} sends SIGTERM, waits at
 * most 10 s, then kills, and deletes the temporary directory.
 */
final class BenchServer implements AutoCloseable {
    /** Which server. */
    enum Kind {
        LITSXG("litsxg", Protocol.LITSXG), NGIRCD("ngircd", Protocol.IRC);

        final String label;
        final Protocol protocol;

        Kind(String label, Protocol protocol) {
            this.label = label;
            this.protocol = protocol;
        }

        static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.label.equalsIgnoreCase(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown target " + s + " (litsxg or ngircd)");
        }
    }

    /** How to start the servers. */
    record Settings(List<String> jvmOptions, String ngircd, int maxConnections, int maxQueued,
                    int authTimeoutSeconds, int startTimeoutSeconds) {
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
    static BenchServer start(Kind kind, Settings settings) throws IOException, StartupException, InterruptedException {
        Path dir = Files.createTempDirectory("litsxg-bench-" + kind.label);
        int port = freePort();
        List<String> cmd = kind == Kind.LITSXG ? litsxgCommand(settings, dir, port) : ngircdCommand(settings, dir, port);
        ProcessBuilder pb = new ProcessBuilder(cmd)
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
                    String err = Files.readString(dir.resolve("stderr.log"));
                    deleteTree(dir);
                    throw new StartupException(ExitCodes.FATAL, kind.label + " did not start listening: " + lastLine(err));
                }
                Thread.sleep(1);
            }
        }
        long listening = System.nanoTime() - t0;
        return new BenchServer(kind, address, listening, process, dir);
    }

    private static List<String> litsxgCommand(Settings s, Path dir, int port) {
        Path jar = Path.of(BenchServer.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(s.jvmOptions());
        cmd.addAll(List.of("-jar", jar.toString(), "server", "--bind", "127.0.0.1", "--port", String.valueOf(port),
                "--data-dir", dir.resolve("data").toString(),
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
        return List.of(s.ngircd(), "--nodaemon", "--config", conf.toString());
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
        if (kind != Kind.LITSXG) {
            return -1;
        }
        jcmd(process.pid(), "GC.run");
        String info = jcmd(process.pid(), "GC.heap_info");
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
     * One client's session on a blocking socket: registers {@code name}, sends a PING and returns
     * once the answer is read, so the server has accepted, authenticated and answered a client
     * (and loaded what that takes). Bounded: 10 s to connect, 30 s for the answer. Benchmarks use
     * it where they need a server that has served a client, instead of a pause.
     */
    void serveOneClient(String name) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(address, 10_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(kind.protocol.register(name));
            out.write(kind.protocol.ping());
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("PONG") || line.contains(" PONG ")) {
                    return;
                }
            }
            throw new IOException(kind.label + " closed the connection before answering PING");
        }
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

    /**
     * Starts the reference server from the jar this class runs from, on a free port, with its data
     * directory under {@code dataRoot}, a low PBKDF2 cost (so that many registrations do not
     * dominate a run) and stderr passed through. Returns as soon as the process exists.
     */
    static Process startReferenceJar(Path dataRoot, int maxConnections, int authTimeoutSeconds) throws IOException {
        Path jar = Path.of(BenchServer.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "server", "--port", "0", "--data-dir", dataRoot.resolve("data").toString(),
                "--max-connections", String.valueOf(maxConnections), "--pbkdf2-iterations", "1000",
                "--auth-timeout", String.valueOf(authTimeoutSeconds));
        System.out.println("starting: " + String.join(" ", cmd));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Reads the ready line from {@code process}'s stdout (blocks until it comes) and returns the port. */
    static int readReadyPort(Process process) throws IOException, StartupException {
        java.io.BufferedReader r = new java.io.BufferedReader(
                new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String ready = r.readLine();
        if (ready == null || !ready.startsWith("litsxg listening on ")) {
            throw new StartupException(ExitCodes.USAGE, "the reference server did not start: " + ready);
        }
        return Integer.parseInt(ready.substring(ready.lastIndexOf(':') + 1));
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

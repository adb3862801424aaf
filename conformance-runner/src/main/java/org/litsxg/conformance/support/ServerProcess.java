package org.litsxg.conformance.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One running build under test: a child process started from an argument list (never through
 * a shell), with its stdout and stderr drained for its whole life.
 *
 * <p>Readiness is "a TCP connect to its port succeeds", polled with Awaitility and given up at
 * once when the process exits. Stopping sends SIGTERM to the process and every descendant,
 * waits a bounded time, then sends SIGKILL, so a build started through a wrapper (a shell
 * script, {@code env}, an interpreter) never outlives its scenario.
 *
 * <p>Used from one step thread at a time; the output captures are thread-safe.
 */
public final class ServerProcess implements AutoCloseable {

    private final String label;
    private final List<String> argv;
    private final Process process;
    private final OutputCapture stdout;
    private final OutputCapture stderr;
    private final long startedAt;
    private volatile long exitedAt;
    private volatile boolean stoppedByKit;
    /** Regular files a process of the build held open when the kit looked (see {@link #openFiles()}). */
    private final java.util.Set<Path> openFilesSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Inode numbers of files locked ({@code /proc/locks}) while the build ran, seen when the kit looked. */
    private final java.util.Set<Long> lockedInodesSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Whether {@code /proc/locks} could be read while the build ran (not on a system without /proc). */
    private volatile boolean locksReadable;
    /** Processes of the tree that a kill of one of them may have left orphaned; killed on close. */
    private final java.util.Set<ProcessHandle> leftovers = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private ServerProcess(String label, List<String> argv, Process process, long origin,
            java.util.function.Consumer<String> stdoutHook) {
        this.label = label;
        this.argv = List.copyOf(argv);
        this.process = process;
        this.startedAt = System.nanoTime();
        this.stdout = new OutputCapture(label + "-stdout", process.getInputStream(), origin, stdoutHook);
        this.stderr = new OutputCapture(label + "-stderr", process.getErrorStream(), origin);
        process.onExit().thenRun(() -> exitedAt = System.nanoTime());
    }

    /**
     * Starts {@code argv} in {@code workDir} with {@code extraEnv} added to the kit's
     * environment, writes {@code stdin} (may be null) to its standard input and closes it.
     * Returns as soon as the process exists; does not wait for readiness.
     *
     * @param origin {@link System#nanoTime()} of the scenario's start, for timestamps
     * @throws IOException when the program cannot be started at all
     */
    public static ServerProcess start(String label, List<String> argv, Path workDir,
            Map<String, String> extraEnv, long origin, byte[] stdin) throws IOException {
        return start(label, argv, workDir, extraEnv, origin, stdin, null);
    }

    /**
     * As {@link #start(String, List, Path, Map, long, byte[])}, with {@code stdoutHook} (may be
     * null) run on the drain thread for every stdout line the moment it is read.
     */
    public static ServerProcess start(String label, List<String> argv, Path workDir,
            Map<String, String> extraEnv, long origin, byte[] stdin,
            java.util.function.Consumer<String> stdoutHook) throws IOException {
        List<String> command = argv;
        if (SignalDisposition.RESET_SIGINT) {
            command = new java.util.ArrayList<>(SignalDisposition.RESET_PREFIX);
            command.addAll(argv);
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().putAll(extraEnv);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        ServerProcess sp;
        STARTING.incrementAndGet();
        try {
            if (stopping) {
                throw new IOException("the kit is stopping");
            }
            sp = new ServerProcess(label, argv, pb.start(), origin, stdoutHook);
            LIVE.add(sp);
        } finally {
            STARTING.decrementAndGet();
        }
        sp.process.onExit().thenRun(() -> LIVE.remove(sp));
        try (java.io.OutputStream in = sp.process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        } catch (IOException e) {
            // The process closed its stdin or died already; its exit status will tell.
        }
        return sp;
    }

    /**
     * Every process the kit has started and that still runs. When the kit's JVM is stopped
     * (SIGTERM, Ctrl-C, or its normal end with a scenario still holding a server), a shutdown
     * hook stops them (TERM, then KILL after two seconds) and their descendants, so that no
     * build under test is left running, listening, without its kit.
     */
    private static final java.util.Set<ServerProcess> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static volatile boolean stopping;
    /** Starts under way: a process forked but not yet in {@link #LIVE}. */
    private static final java.util.concurrent.atomic.AtomicInteger STARTING = new java.util.concurrent.atomic.AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ServerProcess::stopAll, "litsxg-kit-stop-servers"));
    }

    private static void stopAll() {
        stopping = true; // no new start from now on
        try {
            // A start under way when the kit was stopped has forked its process already.
            await("starts under way finish").atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(5)).until(() -> STARTING.get() == 0);
        } catch (ConditionTimeoutException e) {
            // Stop what is known; a start stuck for five seconds is not one that forked.
        }
        // As terminate() does for one process, for all at once: TERM to every tree, one shared
        // two-second grace, then KILL to whatever of each tree is left.
        List<List<ProcessHandle>> trees = LIVE.stream().map(ServerProcess::tree).toList();
        trees.forEach(t -> t.forEach(ProcessHandle::destroy));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (List<ProcessHandle> t : trees) {
            try {
                t.get(0).onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // KILL below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        trees.forEach(ServerProcess::killTree);
    }

    public String label() {
        return label;
    }

    public List<String> argv() {
        return argv;
    }

    /**
     * Whether the kit has sent the process a signal (stop, kill or a named signal): an exit
     * after that is the kit's doing, not the build's.
     */
    public boolean stoppedByKit() {
        return stoppedByKit;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public OutputCapture stdout() {
        return stdout;
    }

    public OutputCapture stderr() {
        return stderr;
    }

    /** Nanoseconds ({@link System#nanoTime()}) at which the process was started. */
    public long startedAt() {
        return startedAt;
    }

    /**
     * Polls {@code address} with TCP connects until one succeeds (true), the process exits
     * (false) or {@code timeout} passes (false). Each probe connection is closed at once.
     */
    public boolean awaitAccepting(InetSocketAddress address, Duration timeout) {
        try {
            await(label + " accepts connections on " + address)
                    .atMost(timeout)
                    .pollDelay(Duration.ZERO)
                    // A refused connect costs microseconds; a coarser poll would add its half
                    // to every one of the suite's two hundred starts.
                    .pollInterval(Duration.ofMillis(5))
                    .failFast(label + " exited before accepting connections", () -> !process.isAlive())
                    .until(() -> canConnect(address));
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        } catch (org.awaitility.core.TerminalFailureException e) {
            return false;
        }
    }

    /**
     * One TCP connect attempt, closed at once. Blocks at most one second. A connection to
     * itself does not count: while nothing listens on a loopback port, Linux lets a connect
     * whose ephemeral source port happens to equal that port succeed as a simultaneous open
     * with itself (the ports the kit picks come from the same ephemeral range).
     */
    public static boolean canConnect(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 1000);
            return !isSelfConnection(s);
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a connected socket is connected to itself (same address and port at both ends). */
    public static boolean isSelfConnection(Socket s) {
        return s.getLocalPort() == s.getPort() && s.getLocalAddress().equals(s.getInetAddress());
    }

    /**
     * Nanoseconds ({@link System#nanoTime()}) at which the kit saw the process exit, if it has.
     */
    public Optional<Long> exitedAt() {
        long at = exitedAt;
        return process.isAlive() || at == 0 ? Optional.empty() : Optional.of(at);
    }

    /** Waits at most {@code timeout} for the process to exit; its exit status if it did. */
    public Optional<Integer> awaitExit(Duration timeout) {
        try {
            if (process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                stdout.awaitEnd(Duration.ofSeconds(2));
                stderr.awaitEnd(Duration.ofSeconds(2));
                return Optional.of(process.exitValue());
            }
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The exit status if the process has exited. Never blocks. */
    public Optional<Integer> exitStatus() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    /**
     * SIGTERM to the process and its descendants; waits at most {@code grace}; then SIGKILL to
     * whatever is left. Returns the exit status of the process.
     */
    public Optional<Integer> terminate(Duration grace) {
        sampleOpenFiles();
        stoppedByKit = true;
        if (!process.isAlive()) {
            return awaitExit(Duration.ofSeconds(1));
        }
        List<ProcessHandle> tree = tree();
        tree.forEach(ProcessHandle::destroy);
        Optional<Integer> status = awaitExit(grace);
        if (status.isEmpty()) {
            killTree(tree);
            status = awaitExit(Duration.ofSeconds(5));
        }
        return status;
    }

    /** SIGKILL to the process and its descendants (the kit's kill -9); waits for the exit. */
    public Optional<Integer> kill() {
        sampleOpenFiles();
        stoppedByKit = true;
        killTree(tree());
        return awaitExit(Duration.ofSeconds(5));
    }

    /**
     * Sends a named signal (e.g. {@code INT}) to the process itself with {@code kill(1)}; the
     * JDK can only send TERM and KILL. Blocks until kill(1) has run.
     */
    public void signal(String name) throws IOException {
        if (name.equals("INT") && SignalDisposition.SIGINT_IGNORED && !SignalDisposition.RESET_SIGINT) {
            throw new Unimplemented("the kit was started with SIGINT ignored (a background job of a shell without job "
                    + "control) and cannot start the build with the default disposition (no env --default-signal), so "
                    + "the build would ignore SIGINT through no fault of its own; run the kit in the foreground");
        }
        stoppedByKit = true;
        Process k = new ProcessBuilder("kill", "-s", name, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        try {
            if (!k.waitFor(5, TimeUnit.SECONDS) || k.exitValue() != 0) {
                throw new IOException("kill -s " + name + " " + process.pid() + " failed: "
                        + new String(k.getInputStream().readAllBytes()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while signalling", e);
        }
    }

    /**
     * Every regular file (by path) that a process of this build's tree holds open now or held
     * open when the kit last looked (before each stop and kill): read from
     * {@code /proc/<pid>/fd}, so empty where there is no such directory. A file in a
     * directory shared with other programs (such as {@code /tmp}) is the build's when the build
     * holds it open.
     */
    public java.util.Set<Path> openFiles() {
        sampleOpenFiles();
        return java.util.Set.copyOf(openFilesSeen);
    }

    /**
     * The inode numbers of every file with a lock on it ({@code /proc/locks}: flock, POSIX and
     * open-file-description locks) while this build ran, seen now or at an earlier look (each
     * stop and kill looks first). A file of the data directory whose inode is among them is
     * the build's lock file, whatever its name (STORE-9).
     */
    public java.util.Set<Long> lockedInodes() {
        sampleOpenFiles();
        return java.util.Set.copyOf(lockedInodesSeen);
    }

    /** Whether the kit could see the system's file locks while this build ran ({@link #lockedInodes()}). */
    public boolean locksVisible() {
        return locksReadable;
    }

    private void sampleOpenFiles() {
        if (!process.isAlive()) {
            return;
        }
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/locks"))) {
                // "1: FLOCK  ADVISORY  WRITE 20395 fe:00:2154501 0 EOF" (with "->" for a waiter)
                String[] t = line.replace("->", "").trim().split("\\s+");
                for (String field : t) {
                    String[] dev = field.split(":");
                    if (dev.length == 3 && dev[2].matches("[0-9]+")) {
                        lockedInodesSeen.add(Long.parseLong(dev[2]));
                    }
                }
            }
            locksReadable = true;
        } catch (IOException | RuntimeException noProc) {
            // No /proc/locks: no lock can be named, and a data directory's extra file is then no lock.
        }
        for (ProcessHandle h : tree()) {
            Path fds = Path.of("/proc", Long.toString(h.pid()), "fd");
            try (java.nio.file.DirectoryStream<Path> ds = java.nio.file.Files.newDirectoryStream(fds)) {
                for (Path fd : ds) {
                    try {
                        Path target = java.nio.file.Files.readSymbolicLink(fd);
                        if (target.isAbsolute() && !target.startsWith("/dev") && !target.startsWith("/proc")
                                && !target.toString().endsWith(" (deleted)")) {
                            openFilesSeen.add(target);
                        }
                    } catch (IOException | UnsupportedOperationException gone) {
                        // Closed in the meantime.
                    }
                }
            } catch (IOException | SecurityException gone) {
                // Exited in the meantime, or no /proc.
            }
        }
    }

    /** The process and its descendants now (for a kill that must not spend time looking). */
    public List<ProcessHandle> processTree() {
        return tree();
    }

    /**
     * SIGKILL to the one process of this tree that holds the socket listening on {@code port}
     * (found through /proc/net/tcp{,6} and /proc/&lt;pid&gt;/fd; of several holders, the one
     * nearest the process the kit started), and to nothing else: whatever else of the build
     * survives it (a supervisor, a helper holding inherited sockets) is what PROC-15 and
     * PROC-16 look for. The rest of the tree is remembered and killed when the kit is done
     * with this process ({@link #killLeftovers()}). Waits for the killed process to end.
     *
     * @return the killed process
     * @throws Unimplemented when no process of the tree can be seen to hold the listening socket
     */
    public ProcessHandle killListener(int port) {
        stoppedByKit = true;
        List<ProcessHandle> tree = tree();
        leftovers.addAll(tree);
        java.util.Set<String> inodes = listeningInodes(port);
        ProcessHandle root = process.toHandle();
        ProcessHandle holder = tree.stream()
                .filter(h -> holdsAny(h.pid(), inodes))
                .min(java.util.Comparator.comparingInt(h -> depth(h, root)))
                .orElseThrow(() -> new Unimplemented("no process of the build's tree (" + tree.stream()
                        .map(h -> Long.toString(h.pid())).toList() + ") can be seen to hold a socket listening on port "
                        + port + " (/proc/net/tcp inodes " + inodes + "), so the kit cannot kill the listening "
                        + "process alone"));
        holder.destroyForcibly();
        try {
            holder.onExit().get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // Reported by the scenario's checks.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return holder;
    }

    /** SIGKILL to every process a {@link #killListener(int)} left behind. Idempotent. */
    public void killLeftovers() {
        List<ProcessHandle> left = List.copyOf(leftovers);
        killTree(left);
        left.forEach(h -> {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Nothing more the kit can do.
            }
        });
    }

    /** The processes of the tree as it was before {@link #killListener(int)} that still run. */
    public List<ProcessHandle> survivors() {
        return leftovers.stream().filter(ProcessHandle::isAlive).toList();
    }

    /**
     * SIGKILL to every process of this machine that holds a socket listening on {@code port}:
     * the last resort against a build that left the kit's process tree (it daemonized), so that
     * nothing of a scenario keeps a port; only processes whose environment holds every entry of
     * {@code environment}. Returns how many it killed.
     */
    public static int killListenersAnywhere(int port, Map<String, String> environment) {
        java.util.Set<String> inodes = listeningInodes(port);
        if (inodes.isEmpty()) {
            return 0;
        }
        long self = ProcessHandle.current().pid();
        // Only a process that carries the instance's own environment (its private TMPDIR): the
        // port may belong to someone else's server by now.
        List<String> marks = environment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        List<ProcessHandle> holders = ProcessHandle.allProcesses()
                .filter(h -> h.pid() != self && holdsAny(h.pid(), inodes) && carries(h.pid(), marks)).toList();
        killTree(holders);
        return holders.size();
    }

    private static boolean carries(long pid, List<String> marks) {
        try {
            List<String> env = List.of(new String(java.nio.file.Files.readAllBytes(
                    Path.of("/proc", Long.toString(pid), "environ")), java.nio.charset.StandardCharsets.UTF_8).split("\0"));
            return !marks.isEmpty() && env.containsAll(marks);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static int depth(ProcessHandle h, ProcessHandle root) {
        int d = 0;
        Optional<ProcessHandle> p = Optional.of(h);
        while (p.isPresent() && p.get().pid() != root.pid() && d < 64) {
            p = p.get().parent();
            d++;
        }
        return d;
    }

    /** Inodes of the sockets in state LISTEN on {@code port}, IPv4 and IPv6 (Linux /proc). */
    public static java.util.Set<String> listeningInodes(int port) {
        java.util.Set<String> out = new java.util.HashSet<>();
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : java.nio.file.Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
                        out.add(f[9]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // No such table here (no IPv6, not Linux).
            }
        }
        return out;
    }

    private static boolean holdsAny(long pid, java.util.Set<String> inodes) {
        if (inodes.isEmpty()) {
            return false;
        }
        try (Stream<Path> fds = java.nio.file.Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    String target = java.nio.file.Files.readSymbolicLink(fd).toString();
                    return target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1));
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private List<ProcessHandle> tree() {
        ProcessHandle root = process.toHandle();
        return Stream.concat(Stream.of(root), root.descendants()).toList();
    }

    private static void killTree(List<ProcessHandle> tree) {
        tree.forEach(ProcessHandle::destroyForcibly);
        // Descendants started after the snapshot (unlikely) are caught here.
        tree.forEach(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
    }

    /** Stops the process if it still runs (TERM, bounded wait, KILL). Idempotent. */
    @Override
    public void close() {
        terminate(Duration.ofSeconds(5));
        killLeftovers();
    }

    /** A report of the process: command, status, and both streams with timestamps. */
    public String report() {
        return "command: " + String.join(" ", argv) + "\n"
                + "pid: " + process.pid() + "\n"
                + "status: " + (process.isAlive() ? "running" : "exited " + process.exitValue()) + "\n"
                + "--- stdout ---\n" + stdout.timestamped()
                + "--- stderr ---\n" + stderr.timestamped();
    }
}

package org.litsxg.conformance.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * One running build under test: a child process started from an argument list (never through
 * a shell), with its stdout and stderr drained for its whole life.
 *
 * <p>Readiness is "a TCP connect to its port succeeds", polled with Awaitility and given up at
 * once when the process exits. Stopping sends SIGTERM to the process and every descendant,
 * waits a bounded time, then sends SIGKILL, so a build started through a wrapper (a shell
 * script, {@code env}, an interpreter) never outlives its scenario.
 *
 * <p>Every process started here is stopped when the kit's JVM stops ({@link LiveProcesses}).
 * What the build holds open and locks is read from {@code /proc} ({@link ProcFs},
 * {@link FileSightings}).
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
    /** What the build's processes held open, and the locks, when the kit looked (see {@link #openFiles()}). */
    private final FileSightings sightings = new FileSightings();
    /** Processes of the tree that a kill of the listener may have left orphaned; killed on close. */
    private final ListenerKill listenerKill = new ListenerKill();

    private ServerProcess(String label, List<String> argv, Process process, long origin,
            Consumer<String> stdoutHook) {
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
            Consumer<String> stdoutHook) throws IOException {
        List<String> command = argv;
        if (SignalDisposition.RESET_SIGINT) {
            command = new ArrayList<>(SignalDisposition.RESET_PREFIX);
            command.addAll(argv);
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().putAll(extraEnv);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        ServerProcess sp = LiveProcesses.register(() -> new ServerProcess(label, argv, pb.start(), origin, stdoutHook));
        try (OutputStream in = sp.process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        } catch (IOException e) {
            // The process closed its stdin or died already; its exit status will tell.
        }
        return sp;
    }

    /** Runs {@code action} once the process has exited. */
    void onExit(Runnable action) {
        process.onExit().thenRun(action);
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
                    .until(() -> PortProbe.canConnect(address));
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        } catch (TerminalFailureException e) {
            return false;
        }
    }

    /** One TCP connect attempt, closed at once; a connection to itself does not count ({@link PortProbe}). */
    public static boolean canConnect(InetSocketAddress address) {
        return PortProbe.canConnect(address);
    }

    /** Whether a connected socket is connected to itself (same address and port at both ends). */
    public static boolean isSelfConnection(Socket s) {
        return PortProbe.isSelfConnection(s);
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
            ProcessTree.kill(tree);
            status = awaitExit(Duration.ofSeconds(5));
        }
        return status;
    }

    /** SIGKILL to the process and its descendants (the kit's kill -9); waits for the exit. */
    public Optional<Integer> kill() {
        sampleOpenFiles();
        stoppedByKit = true;
        ProcessTree.kill(tree());
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
        ProcessTree.signal(process.pid(), name);
    }

    /**
     * Every regular file (by path) that a process of this build's tree holds open now or held
     * open when the kit last looked (before each stop and kill): read from
     * {@code /proc/<pid>/fd}, so empty where there is no such directory. A file in a
     * directory shared with other programs (such as {@code /tmp}) is the build's when the build
     * holds it open.
     */
    public Set<Path> openFiles() {
        sampleOpenFiles();
        return sightings.openFiles();
    }

    /**
     * The inode numbers of every file with a lock on it ({@code /proc/locks}: flock, POSIX and
     * open-file-description locks) while this build ran, seen now or at an earlier look (each
     * stop and kill looks first). A file of the data directory whose inode is among them is
     * the build's lock file, whatever its name (STORE-9).
     */
    public Set<Long> lockedInodes() {
        sampleOpenFiles();
        return sightings.lockedInodes();
    }

    /** Whether the kit could see the system's file locks while this build ran ({@link #lockedInodes()}). */
    public boolean locksVisible() {
        return sightings.locksReadable();
    }

    private void sampleOpenFiles() {
        if (process.isAlive()) {
            sightings.look(tree());
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
        return listenerKill.kill(process.toHandle(), tree(), port);
    }

    /** SIGKILL to every process a {@link #killListener(int)} left behind. Idempotent. */
    public void killLeftovers() {
        listenerKill.killLeftovers();
    }

    /** The processes of the tree as it was before {@link #killListener(int)} that still run. */
    public List<ProcessHandle> survivors() {
        return listenerKill.survivors();
    }

    /**
     * SIGKILL to every process of this machine that holds a socket listening on {@code port}:
     * the last resort against a build that left the kit's process tree (it daemonized), so that
     * nothing of a scenario keeps a port; only processes whose environment holds every entry of
     * {@code environment}. Returns how many it killed.
     */
    public static int killListenersAnywhere(int port, Map<String, String> environment) {
        return ListenerKill.anywhere(port, environment);
    }

    /** Inodes of the sockets in state LISTEN on {@code port}, IPv4 and IPv6 (Linux /proc). */
    public static Set<String> listeningInodes(int port) {
        return ProcFs.listeningInodes(port);
    }

    private List<ProcessHandle> tree() {
        return ProcessTree.of(process.toHandle());
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

package org.litsxg.conformance.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One server the scenario runs: its command template, port, data directory, working
 * directory and temporary directory, and every process started for it so far (a restart
 * starts a new process on the same port and data directory).
 *
 * <p>The working directory ({@code work/}) is the process's current directory and the data
 * directory lives inside it ({@code work/data}); {@code TMPDIR} points at {@code tmp/} and
 * {@code HOME} at {@code home/}. So
 * every file the build writes where the kit can look lies under the instance's root.
 *
 * <p>Used by one step thread.
 */
public final class ServerInstance implements AutoCloseable {

    /** Placeholder values when a scenario sets no limit: the documented defaults. */
    public static final Map<String, String> DEFAULTS = Map.of(
            "bind", "127.0.0.1",
            "max_queued", "1000",
            "max_connections", "10000",
            "auth_timeout", "30",
            "max_pending_bytes", "1048576",
            "log_level", "info");

    private final String label;
    private final Path root;
    private final Path workDir;
    private final Path tmpDir;
    private final Path homeDir;
    private final Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
    private final List<ServerProcess> processes = new ArrayList<>();
    private final RemoteTarget remote;
    private CommandTemplate template;
    private Path dataDir;
    private int port;

    public ServerInstance(String label, Path root, CommandTemplate template) throws IOException {
        this.label = label;
        this.root = root;
        this.workDir = Files.createDirectories(root.resolve("work"));
        this.tmpDir = Files.createDirectories(root.resolve("tmp"));
        this.homeDir = Files.createDirectories(root.resolve("home"));
        this.dataDir = workDir.resolve("data");
        this.template = template;
        this.remote = null;
        this.port = freePort();
        values.put("port", Integer.toString(port));
        values.put("data_dir", dataDir.toString());
    }

    private ServerInstance(String label, RemoteTarget remote) {
        this.label = label;
        this.root = null;
        this.workDir = null;
        this.tmpDir = null;
        this.homeDir = null;
        this.remote = remote;
        this.port = remote.port();
    }

    /**
     * A server the kit did not start and cannot control (external mode): it is always
     * running, its limits are taken to be the documented defaults, and anything that needs its
     * process, its command line, its data directory or its output marks the scenario NOT RUN.
     */
    public static ServerInstance remote(String label, RemoteTarget target) {
        return new ServerInstance(label, target);
    }

    /** The server under test when the kit did not start it; null when it did. */
    public RemoteTarget remote() {
        return remote;
    }

    /** Marks the scenario NOT RUN if this server runs elsewhere: it needs to {@code what}. */
    private void local(String what) {
        if (remote != null) {
            throw new Unimplemented("the server under test runs elsewhere (" + remote + ") and this scenario needs to "
                    + what);
        }
    }

    /**
     * Ports already handed to a scenario in this JVM. Scenarios run in parallel: without this, two
     * could be given the same free port before either server binds it, and one scenario's
     * readiness probe would then reach the other scenario's server.
     */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port nobody uses right now, taken below the kernel's ephemeral range (so that no client
     * socket of the kit, and no port the kernel hands out meanwhile, can be the same port);
     * the kernel's own choice if none is found there.
     */
    public static int freePort() {
        int low = 20000;
        int high = ephemeralLow() - 1;
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; high - low > 1000 && i < 50; i++) {
            int port = random.nextInt(low, high);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                // The wildcard address: a port free there is free on every address, so a scenario
                // that binds 0.0.0.0 or ::1 cannot collide with a socket on another loopback address.
                s.bind(new InetSocketAddress(port));
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException busy) {
                // Try another one.
            }
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** The low end of the kernel's ephemeral port range (Linux), or 32768. */
    static int ephemeralLow() {
        try {
            // Read as lines: Files.readString sizes its read by the file's size, which a sysctl
            // file gives as zero, and returned "3" for "32768\t60999" here.
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }

    public String label() {
        return label;
    }

    public Path root() {
        local("look at its files");
        return root;
    }

    public Path workDir() {
        local("look at its working directory");
        return workDir;
    }

    public Path tmpDir() {
        local("look at its temporary directory");
        return tmpDir;
    }

    /** The build's private home directory ({@code HOME}). */
    public Path homeDir() {
        local("look at its home directory");
        return homeDir;
    }

    public Path dataDir() {
        local("read its data directory");
        return dataDir;
    }

    /** Points the instance at another data directory (before a start). */
    public void dataDir(Path dir) {
        local("point it at another data directory");
        this.dataDir = dir;
        values.put("data_dir", dir.toString());
    }

    public int port() {
        return port;
    }

    /** Points the instance at another port (before a start). */
    public void port(int newPort) {
        local("move it to another port");
        this.port = newPort;
        values.put("port", Integer.toString(newPort));
    }

    public String bind() {
        local("know its bind address");
        return values.get("bind");
    }

    /** The address clients connect to: the bind address, or loopback for a wildcard bind. */
    public InetSocketAddress address() {
        if (remote != null && !remote.viaSocks()) {
            return new InetSocketAddress(remote.host(), remote.port());
        }
        local("reach it without its SOCKS proxy");
        String host = switch (bind()) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "[::]" -> "::1";
            default -> bind();
        };
        return new InetSocketAddress(host, port);
    }

    public CommandTemplate template() {
        local("know its command line");
        return template;
    }

    /** Switches the build this instance starts (an upgrade or a rollback), before a start. */
    public void template(CommandTemplate t) {
        local("replace its binary");
        this.template = t;
    }

    /** Sets a placeholder value for the next start. */
    public void set(String placeholder, String value) {
        local("start it with a setting of its own");
        values.put(placeholder, value);
    }

    public String get(String placeholder) {
        if (remote != null) {
            // External mode: the server is taken to run with the documented defaults.
            String v = DEFAULTS.get(placeholder);
            if (v == null) {
                local("know its " + placeholder);
            }
            return v;
        }
        return values.get(placeholder);
    }

    /** The argument vector for the next start. */
    public List<String> argv() {
        local("start it");
        return template.render(values);
    }

    /**
     * The environment the kit adds for the build: {@code TMPDIR} and {@code HOME} inside the
     * instance (a build that ignores them, as a JVM does, is still watched: see
     * {@code support.FileScan}).
     */
    public Map<String, String> environment() {
        local("start it");
        return Map.of("TMPDIR", tmpDir.toString(), "HOME", homeDir.toString());
    }

    /** Records a process started for this instance; it becomes {@link #current()}. */
    public void started(ServerProcess p) {
        local("start it");
        processes.add(p);
    }

    /**
     * Starts the next process of this instance: its command line with {@code extraArgs}
     * appended, in its working directory with its {@link #environment()}, {@code stdin} (may be
     * null) written to its standard input and {@code stdoutHook} (may be null) run for every
     * stdout line; it becomes {@link #current()}. Returns as soon as the process exists.
     *
     * @param processLabel the process's name in reports
     * @param origin       {@link System#nanoTime()} the output's timestamps count from
     * @throws IOException when the program cannot be started at all
     */
    public ServerProcess launch(String processLabel, List<String> extraArgs, long origin, byte[] stdin,
            Consumer<String> stdoutHook) throws IOException {
        List<String> argv = new ArrayList<>(argv());
        argv.addAll(extraArgs);
        ServerProcess p = ServerProcess.start(processLabel, argv, workDir, environment(), origin, stdin, stdoutHook);
        started(p);
        return p;
    }

    /** The latest process, running or not; null before the first start. */
    public ServerProcess current() {
        local("control or watch its process");
        return processes.isEmpty() ? null : processes.get(processes.size() - 1);
    }

    public boolean isRunning() {
        if (remote != null) {
            return true;
        }
        ServerProcess p = current();
        return p != null && p.isAlive();
    }

    public List<ServerProcess> processes() {
        local("control or watch its process");
        return List.copyOf(processes);
    }

    /**
     * Ends whatever still runs, at once (SIGKILL to each process and its descendants): the
     * scenario is over, and how a build stops is checked by scenarios of its own. Idempotent.
     */
    @Override
    public void close() {
        if (remote != null) {
            return;
        }
        for (ServerProcess p : processes) {
            if (p.isAlive()) {
                p.kill();
            }
            p.killLeftovers();
        }
        if (!processes.isEmpty()) {
            // A build that went to the background (PROC-1) is no longer in any tree the kit knows.
            ServerProcess.killListenersAnywhere(port, environment());
        }
    }
}

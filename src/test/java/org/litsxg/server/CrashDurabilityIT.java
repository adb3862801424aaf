package org.litsxg.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STORE-3 under crash: "the identity is durably stored before {@code OK registered} is written".
 * Many client threads register fresh names while the server process is killed with SIGKILL at a
 * random moment (while registrations are in flight), then restarted on the same data directory,
 * for {@link #CYCLES} cycles. Then
 * every name that got {@code OK registered} must authenticate with its secret (and a wrong secret
 * must fail), {@code PRAGMA integrity_check} must say {@code ok}, and the number of acknowledged
 * identities lost is printed and must be 0.
 *
 * <p>The kill moments come from a seeded {@link Random}; the seed is printed and can be replayed
 * with {@code -Dlitsxg.crash.seed=N}. {@code -Dlitsxg.crash.cycles=N} changes the cycle count.
 */
class CrashDurabilityIT {
    static final int CYCLES = Integer.getInteger("litsxg.crash.cycles", 20);
    static final int CLIENTS = 8;
    /**
     * The kill comes a random 0 to this many milliseconds after the cycle's first
     * {@code OK registered}, so that it always falls while registrations are in flight, however
     * slowly a loaded machine starts the server.
     */
    static final int KILL_SPREAD_MILLIS = 1000;
    private static final Pattern READY = Pattern.compile("litsxg listening on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path tmp;
    private final List<Process> started = new ArrayList<>();
    private final ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "killer"));
    private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS, r -> thread(r, "client"));

    @AfterEach
    void stop() {
        killer.shutdownNow();
        clients.shutdownNow();
        for (Process p : started) {
            p.destroyForcibly();
        }
    }

    @Test
    void everyAcknowledgedRegistrationSurvivesSigkill() throws Exception {
        long seed = Long.getLong("litsxg.crash.seed", System.nanoTime());
        System.out.println("crash durability: seed " + seed + " (replay with -Dlitsxg.crash.seed=" + seed + "), "
                + CYCLES + " cycles, " + CLIENTS + " clients");
        Random random = new Random(seed);
        Path data = tmp.resolve("data");
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger attempted = new AtomicInteger();

        for (int cycle = 0; cycle < CYCLES; cycle++) {
            Server server = Server.start(this, data);
            long killAfter = random.nextInt(KILL_SPREAD_MILLIS);
            AtomicBoolean killed = new AtomicBoolean();
            CompletableFuture<Void> firstAck = new CompletableFuture<>();
            int before = acknowledged.size();
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < CLIENTS; t++) {
                String prefix = "k" + cycle + "-" + t + "-";
                running.add(clients.submit(
                        () -> registerUntilKilled(server.port, prefix, acknowledged, attempted, killed, firstAck)));
            }
            firstAck.get(30, TimeUnit.SECONDS);
            killer.schedule(() -> {
                killed.set(true);
                server.process.destroyForcibly(); // SIGKILL
            }, killAfter, TimeUnit.MILLISECONDS);
            assertTrue(server.process.waitFor(30, TimeUnit.SECONDS), "the killed server is gone");
            for (Future<?> f : running) {
                f.get(30, TimeUnit.SECONDS);
            }
            System.out.printf("cycle %2d: SIGKILL %4d ms after the first OK registered, %4d acknowledged (%d in all)%n",
                    cycle + 1, killAfter, acknowledged.size() - before, acknowledged.size());
        }
        assertTrue(acknowledged.size() >= CYCLES, "registrations were acknowledged before the kills: " + acknowledged.size());
        assertEquals("ok", integrityCheck(data), "integrity_check right after the last SIGKILL");

        Server server = Server.start(this, data);
        Map<String, String> lost = new ConcurrentHashMap<>();
        List<String> names = new ArrayList<>(acknowledged.keySet());
        List<Future<?>> checks = new ArrayList<>();
        AtomicInteger next = new AtomicInteger();
        for (int t = 0; t < CLIENTS; t++) {
            checks.add(clients.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < names.size(); ) {
                    String name = names.get(i);
                    String outcome = verify(server.port, name, acknowledged.get(name));
                    if (outcome != null) {
                        lost.put(name, outcome);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : checks) {
            f.get(120, TimeUnit.SECONDS);
        }
        server.process.destroy(); // SIGTERM: clean stop
        assertTrue(server.process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, server.process.exitValue(), "clean stop");
        String integrity = integrityCheck(data);

        System.out.printf("registrations attempted: %d, acknowledged (OK registered): %d, cycles: %d%n",
                attempted.get(), acknowledged.size(), CYCLES);
        System.out.println("acknowledged identities lost: " + lost.size());
        System.out.println("PRAGMA integrity_check: " + integrity);
        assertEquals(Map.of(), lost, "every acknowledged identity authenticates after the crashes (seed " + seed + ")");
        assertEquals("ok", integrity);
    }

    /** Registers fresh names, one connection each, until the server is gone. */
    private static Void registerUntilKilled(int port, String prefix, Map<String, String> acknowledged,
                                            AtomicInteger attempted, AtomicBoolean killed, CompletableFuture<Void> firstAck) {
        for (int n = 0; ; n++) {
            String name = prefix + n;
            String secret = "secret-" + name;
            try (Client c = new Client(port)) {
                attempted.incrementAndGet();
                String reply = c.call("AUTH " + name + " " + secret);
                if ("OK registered".equals(reply)) {
                    acknowledged.put(name, secret);
                    firstAck.complete(null);
                } else if (reply != null) {
                    throw new AssertionError("AUTH of a fresh name " + name + " got " + reply);
                }
            } catch (IOException e) {
                // refused or reset: the server was killed
            }
            if (killed.get()) {
                return null;
            }
        }
    }

    /** Null when the name authenticates with its secret and not with a wrong one; else what happened. */
    private static String verify(int port, String name, String secret) throws IOException {
        try (Client c = new Client(port)) {
            String wrong = c.call("AUTH " + name + " not-" + secret);
            String right = c.call("AUTH " + name + " " + secret);
            if ("ERR auth-failed".equals(wrong) && "OK authenticated".equals(right)) {
                return null;
            }
            return "wrong secret: " + wrong + ", right secret: " + right;
        }
    }

    private static String integrityCheck(Path data) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve(IdentityStore.FILE_NAME));
             Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            StringBuilder all = new StringBuilder();
            while (rs.next()) {
                all.append(all.length() == 0 ? "" : "; ").append(rs.getString(1));
            }
            return all.toString();
        }
    }

    /** A server process on {@code data}, its output drained for its whole life. */
    private static final class Server {
        final Process process;
        final int port;

        private Server(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Server start(CrashDurabilityIT test, Path data) throws Exception {
            Process p = new ProcessBuilder(List.of("java", "-jar", System.getProperty("litsxg.jar"), "server",
                    "--port", "0", "--data-dir", data.toString(), "--pbkdf2-iterations", "1000"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            test.started.add(p);
            CompletableFuture<Integer> port = new CompletableFuture<>();
            thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    String line;
                    while ((line = readLine(in)) != null) {
                        Matcher m = READY.matcher(line);
                        if (m.matches()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            }, "stdout").start();
            await().atMost(Duration.ofSeconds(20)).failFast("the server exited before its ready line", () -> !p.isAlive())
                    .until(port::isDone);
            return new Server(p, port.get());
        }
    }

    /** One connection; a reply counts only when its LF has arrived. */
    private static final class Client implements AutoCloseable {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;

        Client(int port) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        String call(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readLine(in);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** The next LF-terminated line, or null at end of stream (an unterminated rest is dropped). */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return null;
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, "crash-" + name);
        t.setDaemon(true);
        return t;
    }
}

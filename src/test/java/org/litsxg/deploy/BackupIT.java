package org.litsxg.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online backup of deploy/OPERATORS.md ("The identity database"), done as the operator does it, while clients register under load:
 * the server runs under deploy/litsxg-sandbox (the unit's restrictions, as the unprivileged
 * service user, WAL journal, its lock held), and the backup is
 * {@code umask 077; sqlite3 <data>/identities.db ".backup '<file>'"} run as the service user.
 * Then: the backup passes {@code PRAGMA integrity_check}; a server started on a restored copy
 * authenticates every identity that was answered {@code OK registered} before the backup began
 * (and refuses a wrong secret); and the running server never stopped serving: a PING every
 * {@value #PING_EVERY_MILLIS} ms throughout was answered each time within {@link #PING_BOUND}, and
 * registrations went on during and after the backup.
 */
class BackupIT {
    static final int CLIENTS = 6;
    /** Identities acknowledged before the backup starts. */
    static final int BEFORE = 300;
    /** Identities acknowledged after the backup started, before the load stops. */
    static final int AFTER = 100;
    static final long PING_EVERY_MILLIS = 5;
    /** The spec's "without undue delay" (HOST-1). */
    static final Duration PING_BOUND = Duration.ofSeconds(3);
    static final String SERVICE_USER = "65534";

    @TempDir
    Path tmp;
    private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS + 1, r -> daemon(r, "backup-client"));
    private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "backup-pinger"));
    private final List<SandboxedServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.shutdownNow();
        pinger.shutdownNow();
        servers.forEach(SandboxedServer::close);
    }

    @Test
    void anOnlineBackupUnderLoadRestoresEveryAcknowledgedIdentity() throws Exception {
        Path sqlite3 = Tools.require("sqlite3", "sqlite3");
        Path setpriv = Tools.require("setpriv", "util-linux");
        // The service user must reach the directories (the test's own temporary directory is 0700).
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Path state = Files.createDirectories(tmp.resolve("state"));
        Path backups = Files.createDirectories(tmp.resolve("backups"));
        Files.setAttribute(backups, "unix:uid", Integer.parseInt(SERVICE_USER));
        Path backup = backups.resolve("identities-backup.db");

        Path jar = Tools.stage(Tools.jar(), tmp.resolve("bin"));
        SandboxedServer server = SandboxedServer.start(state, jar);
        servers.add(server);
        Path db = state.resolve("data").resolve("identities.db");

        // PINGs on one connection throughout, each answered within the bound.
        Pinger ping = new Pinger(server.port);
        pinger.scheduleWithFixedDelay(ping, 0, PING_EVERY_MILLIS, TimeUnit.MILLISECONDS);

        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean stopLoad = new AtomicBoolean();
        List<Future<?>> load = new ArrayList<>();
        for (int t = 0; t < CLIENTS; t++) {
            String prefix = "b" + t + "-";
            load.add(clients.submit(() -> register(server.port, prefix, acknowledged, stopLoad)));
        }
        await().atMost(Duration.ofSeconds(60)).failFast("a load client failed", () -> load.stream().anyMatch(Future::isDone))
                .until(() -> acknowledged.size() >= BEFORE);

        // Every name answered OK registered so far: the backup must hold them all.
        Map<String, String> before = new HashMap<>(acknowledged);
        long pingsBefore = ping.answered.get();
        long started = System.nanoTime();
        Tools.Result r = Tools.run(List.of(setpriv.toString(), "--reuid=" + SERVICE_USER, "--regid=" + SERVICE_USER, "--clear-groups",
                "--", "sh", "-c", "umask 077 && exec \"$0\" \"$1\" \"$2\"", sqlite3.toString(), db.toString(),
                ".backup '" + backup + "'"), 120);
        long backupMillis = (System.nanoTime() - started) / 1_000_000;
        int duringBackup = acknowledged.size() - before.size();
        long pingsDuringBackup = ping.answered.get() - pingsBefore;
        assertEquals(0, r.exit(), "sqlite3 .backup: " + r.err());
        await().atMost(Duration.ofSeconds(60)).failFast("a load client failed", () -> load.stream().anyMatch(Future::isDone))
                .until(() -> acknowledged.size() >= before.size() + AFTER);
        stopLoad.set(true);
        for (Future<?> f : load) {
            f.get(30, TimeUnit.SECONDS);
        }
        pinger.shutdown();
        assertTrue(pinger.awaitTermination(10, TimeUnit.SECONDS));
        System.out.printf("backup: %d identities acknowledged before it began, %d while sqlite3 ran (%d ms), %d in all; "
                        + "PINGs answered: %d (%d while sqlite3 ran), slowest %d ms, failures: %s%n",
                before.size(), duringBackup, backupMillis, acknowledged.size(), ping.answered.get(),
                pingsDuringBackup, ping.slowestMillis.get(), ping.failure.get());
        assertEquals(null, ping.failure.get(), "every PING during the load and the backup was answered");
        assertTrue(ping.slowestMillis.get() <= PING_BOUND.toMillis(),
                "every PING answered within " + PING_BOUND.toMillis() + " ms; slowest: " + ping.slowestMillis.get() + " ms");
        assertTrue(server.process.isAlive(), "the server still runs");

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)), "the backup's mode");
        Tools.Result check = Tools.run(List.of(sqlite3.toString(), backup.toString(), "PRAGMA integrity_check"), 60);
        System.out.println("PRAGMA integrity_check on the backup: " + check.out().strip());
        assertEquals("ok", check.out().strip(), "integrity_check of the backup; stderr: " + check.err());
        Tools.Result rows = Tools.run(List.of(sqlite3.toString(), backup.toString(), "SELECT count(*) FROM identities"), 60);
        // integrity_check alone proves little: a plain copy of identities.db taken while the
        // server runs passes it with no identities table at all (they are still in the -wal).
        assertEquals(0, rows.exit(), "the backup has an identities table: " + rows.err().strip());
        int inBackup = Integer.parseInt(rows.out().strip());
        assertTrue(inBackup >= before.size(), "the backup holds at least the " + before.size() + " identities acknowledged before it: " + inBackup);

        // Restore: a copy of the backup as the data directory's identities.db, a server on it.
        Path restored = Files.createDirectories(tmp.resolve("restored"));
        Files.createDirectories(restored.resolve("data"));
        Files.copy(backup, restored.resolve("data").resolve("identities.db"));
        SandboxedServer second = SandboxedServer.start(restored, jar);
        servers.add(second);
        List<String> names = new ArrayList<>(before.keySet());
        Map<String, String> lost = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> checks = new ArrayList<>();
        for (int t = 0; t < CLIENTS; t++) {
            checks.add(clients.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < names.size(); ) {
                    String name = names.get(i);
                    String outcome = verify(second.port, name, before.get(name), i % 10 == 0);
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
        System.out.printf("restored copy: %d identities in the backup; of the %d acknowledged before it began, %d do not authenticate%n",
                inBackup, before.size(), lost.size());
        assertEquals(Map.of(), lost, "every identity acknowledged before the backup authenticates on the restored copy");

        assertEquals(0, second.stop(), "the restored server's clean stop; stderr: " + second.stderr.join());
        assertEquals(0, server.stop(), "the original server's clean stop; stderr: " + server.stderr.join());
    }

    /** Registers fresh names, one connection each, until told to stop; fails on any other answer. */
    private static Void register(int port, String prefix, Map<String, String> acknowledged, AtomicBoolean stop) throws IOException {
        for (int n = 0; !stop.get(); n++) {
            String name = prefix + n;
            String secret = "secret-" + name;
            try (Line c = new Line(port)) {
                String reply = c.call("AUTH " + name + " " + secret);
                if (!"OK registered".equals(reply)) {
                    throw new AssertionError("AUTH of a fresh name " + name + " got " + reply);
                }
                acknowledged.put(name, secret);
            }
        }
        return null;
    }

    /** Null when the name authenticates with its secret (and, if asked, not with a wrong one). */
    private static String verify(int port, String name, String secret, boolean tryWrong) throws IOException {
        try (Line c = new Line(port)) {
            if (tryWrong) {
                String wrong = c.call("AUTH " + name + " not-" + secret);
                if (!"ERR auth-failed".equals(wrong)) {
                    return "a wrong secret got " + wrong;
                }
            }
            String right = c.call("AUTH " + name + " " + secret);
            return "OK authenticated".equals(right) ? null : "its secret got " + right;
        }
    }

    /** One PING per run on a kept connection; remembers the slowest answer and the first failure. */
    private static final class Pinger implements Runnable {
        final AtomicLong answered = new AtomicLong();
        final AtomicLong slowestMillis = new AtomicLong();
        final AtomicReference<String> failure = new AtomicReference<>();
        private final int port;
        private Line line;

        Pinger(int port) {
            this.port = port;
        }

        @Override
        public void run() {
            if (failure.get() != null) {
                return;
            }
            long start = System.nanoTime();
            try {
                if (line == null) {
                    line = new Line(port);
                }
                String reply = line.call("PING");
                long millis = (System.nanoTime() - start) / 1_000_000;
                slowestMillis.accumulateAndGet(millis, Math::max);
                if (!"PONG".equals(reply)) {
                    failure.set("PING got " + reply);
                } else {
                    answered.incrementAndGet();
                }
            } catch (IOException e) {
                failure.set("PING failed after " + (System.nanoTime() - start) / 1_000_000 + " ms: " + e);
            }
        }
    }

    /** One connection; reads bounded by the PING bound plus a margin. */
    private static final class Line implements AutoCloseable {
        private final Socket socket = new Socket();
        private final BufferedReader in;
        private final OutputStream out;

        Line(int port) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        String call(String request) throws IOException {
            out.write((request + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}

package org.litsxg.conformance.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.litsxg.conformance.report.Json;

/**
 * External mode as an implementer uses it: the runner jar as a process, certifying a reference
 * server that the test started once and that keeps its identities across scenarios and runs,
 * directly ({@code --address}) and through a SOCKS5 proxy ({@code --socks --onion}).
 */
class ExternalModeIT {

    private static Process server;
    private static int port;
    private static Path dataRoot;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startTheServerOnce() throws Exception {
        dataRoot = Files.createTempDirectory("litsxg-external-it");
        server = new ProcessBuilder("java", "-jar", System.getProperty("litsxg.reference.jar"), "server", "--port", "0",
                "--data-dir", dataRoot.resolve("data").toString(), "--pbkdf2-iterations", "1000")
                .redirectError(dataRoot.resolve("stderr.txt").toFile()).start();
        BufferedReader ready = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line = ready.readLine();
        Matcher m = Pattern.compile("litsxg listening on 127\\.0\\.0\\.1:(\\d+)").matcher(String.valueOf(line));
        assertTrue(m.matches(), "the ready line: " + line);
        port = Integer.parseInt(m.group(1));
    }

    @AfterAll
    static void stopTheServer() throws Exception {
        server.destroy();
        assertTrue(server.waitFor(10, TimeUnit.SECONDS), "the server stops on SIGTERM");
        assertEquals(0, server.exitValue(), "the server's exit status after SIGTERM");
    }

    private RunnerJar.Run run(String... args) throws IOException, InterruptedException {
        return RunnerJar.run(tmp, args);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> scenarios(Path report) throws IOException {
        Map<String, Object> outcomes = (Map<String, Object>) Json.read(Files.readString(report.resolve("outcomes.json")));
        return (List<Map<String, Object>>) outcomes.get("scenarios");
    }

    @Test
    void certifiesARunningServerTwiceAndReportsWhatItCannotCheckAsNotRun() throws Exception {
        for (int round = 1; round <= 2; round++) {
            // The second round finds every name of the first registered: each scenario must speak as names of its own.
            Path report = tmp.resolve("report-" + round);
            RunnerJar.Run r = run("--address", "127.0.0.1:" + port, "--report", report.toString());
            assertEquals(0, r.exit(), "round " + round + ": " + r.summary() + "\n" + r.out() + r.err());
            assertTrue(r.summary().startsWith("conformant: ") && r.summary().contains(" not run"), r.summary());
            int ok = 0;
            for (Map<String, Object> s : scenarios(report)) {
                List<String> tags = (List<String>) s.get("tags");
                String outcome = (String) s.get("outcome");
                String message = String.valueOf(s.get("message"));
                if (tags.contains("@process")) {
                    assertEquals("NOT RUN", outcome, s.get("location") + " needs the server's process: never run, never passed");
                    assertTrue(message.contains("runs elsewhere"), s.get("location") + ": " + message);
                } else {
                    // A scenario without the tag needs only the socket: it runs, whatever its outcome.
                    assertTrue(!outcome.equals("NOT RUN"), s.get("location") + " is socket-only, yet not run: " + message);
                    ok++;
                }
            }
            assertTrue(ok >= 80, "socket-only scenarios run against the running server: " + ok);
        }
        assertTrue(server.isAlive(), "the server under test survived two runs");
    }

    @Test
    void reachesTheServerThroughASocks5ProxyThatResolvesItsName() throws Exception {
        try (Socks5Proxy proxy = new Socks5Proxy()) {
            RunnerJar.Run r = run("--socks", "127.0.0.1:" + proxy.port(), "--onion", "localhost:" + port, "--clause", "WIRE,CMD,ROUTE");
            assertEquals(0, r.exit(), r.summary() + "\n" + r.err());
            assertTrue(r.summary().startsWith("conformant: "), r.summary());
            assertTrue(r.out().contains("external mode: scenarios speak to localhost:" + port + " via SOCKS5"), r.out());
            assertTrue(proxy.requests().size() > 20, "the kit's connections went through the proxy: " + proxy.requests().size());
            assertTrue(proxy.requests().stream().allMatch(("localhost:" + port)::equals),
                    "every CONNECT names the host for the proxy to resolve: " + proxy.requests());
        }
    }

    @Test
    void anUnreachableServerOrBadOptionsExit2WithOneLine() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        RunnerJar.Run dead = run("--address", "127.0.0.1:" + closed, "--startup-timeout", "3");
        assertEquals(2, dead.exit(), dead.out() + dead.err());
        assertEquals(1, dead.err().lines().count(), dead.err());
        assertTrue(dead.err().startsWith("litsxg conformance: the server under test cannot be reached: 127.0.0.1:" + closed),
                dead.err());
        for (String[] bad : new String[][] {{"--address", "nohost"}, {"--address", "h:70000"}, {"--socks", "127.0.0.1:9050"},
                {"--address", "127.0.0.1:1", "--onion", "x.onion:1", "--socks", "127.0.0.1:9050"}}) {
            RunnerJar.Run r = run(bad);
            assertEquals(2, r.exit(), String.join(" ", bad) + ": " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("litsxg conformance: "), r.err());
        }
    }

    /**
     * A minimal SOCKS5 proxy (RFC 1928, no authentication, CONNECT only) that resolves the
     * requested host name itself, as Tor does for an onion address, and records each request.
     */
    static final class Socks5Proxy implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket();
        private final List<String> requests = new CopyOnWriteArrayList<>();
        private final List<Socket> open = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        Socks5Proxy() throws IOException {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            acceptor = new Thread(this::acceptLoop, "socks5-test-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        List<String> requests() {
            return List.copyOf(requests);
        }

        private void acceptLoop() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    open.add(client);
                    Thread t = new Thread(() -> serve(client), "socks5-test-proxy-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket client) {
            try {
                InputStream in = client.getInputStream();
                OutputStream out = client.getOutputStream();
                byte[] greeting = in.readNBytes(2);
                in.readNBytes(greeting[1]);
                out.write(new byte[] {5, 0});
                byte[] head = in.readNBytes(4);
                if (head[1] != 1 || head[3] != 3) {
                    out.write(new byte[] {5, 8, 0, 1, 0, 0, 0, 0, 0, 0});
                    client.close();
                    return;
                }
                String host = new String(in.readNBytes(in.read()), StandardCharsets.US_ASCII);
                byte[] p = in.readNBytes(2);
                int targetPort = ((p[0] & 0xff) << 8) | (p[1] & 0xff);
                requests.add(host + ":" + targetPort);
                Socket upstream = new Socket(host, targetPort);
                open.add(upstream);
                out.write(new byte[] {5, 0, 0, 1, 127, 0, 0, 1, 0, 0});
                out.flush();
                Thread up = new Thread(() -> pump(in, upstream), "socks5-test-proxy-up");
                up.setDaemon(true);
                up.start();
                pump(upstream.getInputStream(), client);
            } catch (IOException e) {
                // The kit or the server closed its end.
            } finally {
                try {
                    client.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }

        private static void pump(InputStream from, Socket to) {
            byte[] buf = new byte[16384];
            try {
                int n;
                while ((n = from.read(buf)) > 0) {
                    to.getOutputStream().write(buf, 0, n);
                }
                to.shutdownOutput();
            } catch (IOException e) {
                try {
                    to.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : open) {
                s.close();
            }
            await("the proxy's acceptor ends").atMost(Duration.ofSeconds(5)).until(() -> !acceptor.isAlive());
        }
    }
}

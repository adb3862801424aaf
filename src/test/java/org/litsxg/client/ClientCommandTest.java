package org.litsxg.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import picocli.CommandLine;

/**
 * Runs {@code litsxg client} in-process, with a fake stdin and captured stdout/stderr, against
 * {@link TestLineServer} (and {@link TestSocks5Proxy}) on loopback. No sleeps: every wait is a
 * bounded blocking call or an Awaitility condition.
 */
class ClientCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private TestLineServer lineServer;
    private TestSocks5Proxy proxy;
    private Run run;

    @AfterEach
    void tearDown() throws IOException {
        if (run != null) {
            run.stdin.end(); // lets the client's stdin thread finish
        }
        if (proxy != null) {
            proxy.close();
        }
        if (lineServer != null) {
            lineServer.close();
        }
    }

    @Test
    void sendsStdinLinesPrintsRepliesAndExitsZeroAfterStdinEnds() throws Exception {
        lineServer = new TestLineServer();
        run = start(FakeStdin.of("PING\nhello world\n"), "--server", "127.0.0.1:" + lineServer.port());

        assertEquals(0, run.exitCode());
        // EOF-SEEN is written by the server only after it saw our half-close: the client kept
        // printing until the server closed.
        assertEquals("PONG\nECHO hello world\nEOF-SEEN\n", run.stdout());
        assertEquals("", run.stderr());
        assertEquals("PING", lineServer.received.poll(10, TimeUnit.SECONDS));
        assertEquals("hello world", lineServer.received.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void linesAreSentAndPrintedVerbatimInUtf8() throws Exception {
        lineServer = new TestLineServer();
        String text = "SEND bob  h\u00e9llo\t\u2713 \u65e5\u672c ";
        run = start(FakeStdin.of(text + "\n"), "--server", "localhost:" + lineServer.port());

        assertEquals(0, run.exitCode());
        assertEquals("ECHO " + text + "\nEOF-SEEN\n", run.stdout());
        assertEquals(text, lineServer.received.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void aLastLineWithoutLfIsSentAsALine() throws Exception {
        lineServer = new TestLineServer();
        run = start(FakeStdin.of("PING\nPING"), "--server", "127.0.0.1:" + lineServer.port());

        assertEquals(0, run.exitCode());
        assertEquals("PONG\nPONG\nEOF-SEEN\n", run.stdout());
    }

    @Test
    void quitEndsTheSessionWithExitZeroWhileStdinIsStillOpen() throws Exception {
        lineServer = new TestLineServer();
        FakeStdin stdin = new FakeStdin();
        run = start(stdin, "--server", "127.0.0.1:" + lineServer.port());

        stdin.send("PING\n");
        await().atMost(WAIT).until(() -> run.stdout().equals("PONG\n"));
        stdin.send("QUIT\n");

        assertEquals(0, run.exitCode());
        assertEquals("PONG\nOK bye\n", run.stdout());
        assertEquals("", run.stderr());
    }

    @Test
    void stdinEndingWithQuitIsNotHalfClosedSoAProxyLikeTorKeepsTheReplies() throws Exception {
        // Tor ends a stream on a half-close; after QUIT the client leaves the close to the server.
        lineServer = new TestLineServer();
        proxy = new TestSocks5Proxy(lineServer.port(), 0, true);
        run = start(FakeStdin.of("PING\nQUIT\n"), "--server", "abcdefghijklmnop.onion:7667",
                "--socks", "127.0.0.1:" + proxy.port());

        assertEquals(0, run.exitCode());
        assertEquals("PONG\nOK bye\n", run.stdout());
        assertEquals("", run.stderr());
    }

    @Test
    void quitWithCrLfCountsAsQuit() throws Exception {
        lineServer = new TestLineServer();
        FakeStdin stdin = new FakeStdin();
        run = start(stdin, "--server", "127.0.0.1:" + lineServer.port());

        stdin.send("QUIT\r\n");

        assertEquals(0, run.exitCode());
        assertEquals("OK bye\n", run.stdout());
        assertEquals("", run.stderr());
    }

    @Test
    void theServerClosingOnItsOwnIsExitOneWithOneStderrLine() throws Exception {
        lineServer = new TestLineServer();
        FakeStdin stdin = new FakeStdin();
        run = start(stdin, "--server", "127.0.0.1:" + lineServer.port());

        stdin.send("KICK\n"); // the server answers ERR session-replaced and closes

        assertEquals(1, run.exitCode());
        assertEquals("ERR session-replaced\n", run.stdout());
        assertEquals("litsxg client: connection closed by server\n", run.stderr());
    }

    @Test
    void aLineTheServerSendsFirstIsPrintedAsItArrives() throws Exception {
        lineServer = new TestLineServer("MSG alice hi bob\n");
        FakeStdin stdin = new FakeStdin();
        run = start(stdin, "--server", "127.0.0.1:" + lineServer.port());

        await().atMost(WAIT).until(() -> run.stdout().equals("MSG alice hi bob\n"));
        stdin.send("PING\n");
        await().atMost(WAIT).until(() -> run.stdout().equals("MSG alice hi bob\nPONG\n"));
        stdin.end();

        assertEquals(0, run.exitCode());
        assertEquals("MSG alice hi bob\nPONG\nEOF-SEEN\n", run.stdout());
    }

    @Test
    void connectsThroughSocks5WithoutResolvingTheOnionName() throws Exception {
        lineServer = new TestLineServer();
        proxy = new TestSocks5Proxy(lineServer.port(), 0);
        run = start(FakeStdin.of("PING\nSEND bob hi\n"),
                "--server", "xyz.onion:7667", "--socks", "127.0.0.1:" + proxy.port());

        assertEquals(0, run.exitCode());
        assertEquals("PONG\nECHO SEND bob hi\nEOF-SEEN\n", run.stdout());
        assertEquals("", run.stderr());
        TestSocks5Proxy.Request request = proxy.requests.poll(10, TimeUnit.SECONDS);
        assertEquals(3, request.atyp());
        assertEquals("xyz.onion", request.host());
        assertEquals(7667, request.port());
        assertNull(proxy.violations.poll());
    }

    @Test
    void aSocks5FailureIsExitThreeWithTheSpecificLine() throws Exception {
        proxy = new TestSocks5Proxy(1, 0x04);
        run = start(FakeStdin.of(""), "--server", "xyz.onion:7667", "--socks", "127.0.0.1:" + proxy.port());

        assertEquals(3, run.exitCode());
        assertEquals("litsxg client: SOCKS5 proxy 127.0.0.1:" + proxy.port()
                + " refused the connection: host unreachable (reply 0x04)\n", run.stderr());
        assertEquals("", run.stdout());
    }

    @Test
    void aRefusedConnectionIsExitThreeWithOneLine() throws Exception {
        int port = closedPort();
        run = start(FakeStdin.of("PING\n"), "--server", "127.0.0.1:" + port);

        assertEquals(3, run.exitCode());
        String prefix = "litsxg client: cannot connect to 127.0.0.1:" + port + ": ";
        assertTrue(run.stderr().startsWith(prefix), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertEquals("", run.stdout());
    }

    @Test
    void anUnreachableProxyIsExitThreeNamingTheProxy() throws Exception {
        int port = closedPort();
        run = start(FakeStdin.of(""), "--server", "xyz.onion:7667", "--socks", "127.0.0.1:" + port);

        assertEquals(3, run.exitCode());
        String prefix = "litsxg client: cannot connect to SOCKS5 proxy 127.0.0.1:" + port + ": ";
        assertTrue(run.stderr().startsWith(prefix), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
    }

    static Stream<Arguments> badUsage() {
        return Stream.of(new String[][] {
            {},
            {"--server"},
            {"--server", "localhost"},
            {"--server", "localhost:0"},
            {"--server", "localhost:70000"},
            {"--server", "::1:7667"},
            {"--server", "[::1]"},
            {"--server", "host\n:7667"},
            {"--server", "localhost:7667", "--socks", "127.0.0.1"},
            {"--server", "localhost:7667", "--connect-timeout", "0"},
            {"--server", "localhost:7667", "--connect-timeout", "ten"},
            {"--server", "xyz.onion:7667"},
            {"--server", "localhost:7667", "--bogus"},
            {"--server", "localhost:7667", "extra"},
        }).map(args -> Arguments.of((Object) args));
    }

    @ParameterizedTest
    @MethodSource("badUsage")
    void badUsageIsExitTwoWithOneStderrLine(String[] args) throws Exception {
        run = start(FakeStdin.of(""), args);

        assertEquals(2, run.exitCode(), Arrays.toString(args));
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertTrue(run.stderr().endsWith("\n"), run.stderr());
        assertEquals("", run.stdout());
    }

    @Test
    void anOnionWithoutSocksSaysHowToReachIt() throws Exception {
        run = start(FakeStdin.of(""), "--server", "xyz.onion:7667");

        assertEquals(2, run.exitCode());
        assertEquals("xyz.onion is an onion address: reach it through Tor, e.g. --socks 127.0.0.1:9050\n",
                run.stderr());
    }

    // --- harness ---

    /** A port on loopback that nothing listens on (bound, then closed). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Runs the command the way org.litsxg.Cli does: picocli, with a parameter-exception handler
     * that prints the message as one line on stderr and returns 2.
     */
    private static Run start(FakeStdin stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
        CommandLine cl = new CommandLine(new ClientCommand(stdin, stdout, stderr));
        cl.setParameterExceptionHandler((ex, a) -> {
            stderr.print(ex.getMessage().replace('\n', ' ') + "\n");
            return 2;
        });
        FutureTask<Integer> task = new FutureTask<>(() -> cl.execute(args));
        Thread t = new Thread(task, "test-client");
        t.setDaemon(true);
        t.start();
        return new Run(stdin, task, out, err);
    }

    private record Run(FakeStdin stdin, FutureTask<Integer> task, ByteArrayOutputStream out,
                       ByteArrayOutputStream err) {
        int exitCode() throws Exception {
            return task.get(10, TimeUnit.SECONDS);
        }

        String stdout() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String stderr() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    /** A stdin that blocks until the test sends bytes or ends it. */
    private static final class FakeStdin extends InputStream {
        private static final byte[] END = new byte[0];
        private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
        private byte[] current = new byte[0];
        private int position;
        private boolean ended;

        static FakeStdin of(String text) {
            FakeStdin in = new FakeStdin();
            in.send(text);
            in.end();
            return in;
        }

        void send(String text) {
            chunks.add(text.getBytes(StandardCharsets.UTF_8));
        }

        void end() {
            chunks.add(END);
        }

        @Override
        public synchronized int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (!ended && position == current.length) {
                try {
                    byte[] next = chunks.take();
                    if (next == END) {
                        ended = true;
                    } else {
                        current = next;
                        position = 0;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            if (position == current.length) {
                return -1;
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            return n;
        }
    }
}

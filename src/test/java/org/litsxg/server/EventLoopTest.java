package org.litsxg.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event loop over real loopback sockets, wired as the server wires it, with the real identity store. */
class EventLoopTest {
    @TempDir
    Path dir;
    private IdentityStore store;
    private EventLoop loop;
    private Thread thread;
    private final ExecutorService workers = Executors.newFixedThreadPool(2);
    private final List<LineClient> clients = new ArrayList<>();

    private void start(int maxQueued, int maxConnections, int authTimeout, long maxPending) throws IOException, java.sql.SQLException {
        store = IdentityStore.open(dir, PasswordHash.MIN_ITERATIONS);
        ServerConfig config = new ServerConfig("127.0.0.1", 0, dir, maxQueued, maxConnections, authTimeout, maxPending, PasswordHash.MIN_ITERATIONS);
        System.Logger log = System.getLogger("test");
        loop = new EventLoop(config, log);
        Authenticator auth = new StoreAuthenticator(store, workers, loop, e -> {
            throw new IllegalStateException(e);
        });
        Function<Transport, Session> sessions = Server.sessions(config, new HashSet<>(store.names()), auth, log);
        thread = new Thread(() -> {
            try {
                loop.run(sessions);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "litsxg-selector-test");
        thread.start();
    }

    private void start() throws Exception {
        start(1000, 10_000, 30, ServerConfig.DEFAULT_MAX_PENDING_BYTES);
    }

    private LineClient connect() throws IOException {
        LineClient c = new LineClient(loop.address());
        clients.add(c);
        return c;
    }

    @AfterEach
    void stop() throws Exception {
        for (LineClient c : clients) {
            c.close();
        }
        if (loop != null) {
            loop.stop();
            thread.join(5_000);
        }
        workers.shutdownNow();
        if (store != null) {
            store.close();
        }
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrderAcrossAnAuth() throws Exception {
        start();
        LineClient a = connect();
        a.write("PING\nAUTH alice secret123\nSEND alice to myself\nPING\nQUIT\n");
        List<String> got = new ArrayList<>();
        String line;
        while ((line = a.read()) != null) {
            got.add(line);
        }
        List<String> replies = got.stream().filter(l -> !l.startsWith("MSG ")).toList();
        assertEquals(List.of("PONG", "OK registered", "OK delivered", "PONG", "OK bye"), replies);
        assertTrue(got.contains("MSG alice to myself"));
    }

    @Test
    void thousandsOfPipelinedCommandsInOneWriteAllGetAnswers() throws Exception {
        start();
        LineClient a = connect();
        int n = 50_000;
        a.write("PING\n".repeat(n) + "QUIT\n");
        int pongs = 0;
        String line;
        while ((line = a.read()) != null && line.equals("PONG")) {
            pongs++;
        }
        assertEquals(n, pongs);
        assertEquals("OK bye", line);
    }

    @Test
    void aLongLineIsAnsweredAndClosedWithoutAReset() throws Exception {
        start();
        LineClient a = connect();
        a.writeBytes(new byte[1 << 20]);
        assertEquals("ERR line-too-long", a.read());
        assertNull(a.read());
    }

    @Test
    void badEncodingKeepsTheConnection() throws Exception {
        start();
        LineClient a = connect();
        a.writeBytes(new byte[] {(byte) 0xC0, (byte) 0xAF, '\n'});
        assertEquals("ERR bad-encoding", a.read());
        assertEquals("PONG", a.call("PING"));
    }

    @Test
    void overTheConnectionCapTheNextOneIsRefused() throws Exception {
        start(1000, 2, 30, ServerConfig.DEFAULT_MAX_PENDING_BYTES);
        LineClient a = connect();
        LineClient b = connect();
        assertEquals("PONG", a.call("PING"));
        assertEquals("PONG", b.call("PING"));
        LineClient c = connect();
        assertEquals("ERR server-full", c.read());
        assertNull(c.read());
        a.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.openConnections() == 1);
        assertEquals("PONG", connect().call("PING"));
    }

    /**
     * HOST-3: a connection the server has closed (here by the auth timeout) no longer counts,
     * even while the server still waits for the client's own close: a client that read end of
     * stream but has not closed yet must not keep the slot.
     */
    @Test
    void aConnectionClosedByTheServerFreesItsSlotBeforeTheClientCloses() throws Exception {
        start(1000, 1, 1, ServerConfig.DEFAULT_MAX_PENDING_BYTES);
        LineClient silent = connect();
        assertEquals("ERR auth-timeout", silent.read());
        assertNull(silent.read(), "end of stream after ERR auth-timeout");
        // silent has not closed its socket: the server is lingering on it.
        assertEquals("PONG", connect().call("PING"));
    }

    /**
     * AUTH-11: an AUTH that reached the socket before the deadline is answered, even when the
     * loop was busy from before it arrived until after the deadline (so no select saw it before
     * the deadline expired). The previous loop expired the deadline first: ERR auth-timeout.
     */
    @Test
    void anAuthThatArrivedBeforeTheDeadlineIsAnsweredThoughTheLoopWasBusy() throws Exception {
        start(1000, 10, 1, ServerConfig.DEFAULT_MAX_PENDING_BYTES);
        LineClient c = connect();
        assertEquals("PONG", c.call("PING"));
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        loop.execute(() -> {
            busy.countDown();
            try {
                release.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(busy.await(5, java.util.concurrent.TimeUnit.SECONDS));
        c.write("AUTH alice secret123\n");
        // Hold the loop until the deadline (1 s from accept) has passed.
        await().pollDelay(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(3)).until(() -> true);
        release.countDown();
        assertEquals("OK registered", c.read());
        c.socket.setSoTimeout(500);
        assertEquals("PONG", c.call("PING"), "the connection stays authenticated");
    }

    @Test
    void anUnauthenticatedConnectionTimesOut() throws Exception {
        start(1000, 10, 1, ServerConfig.DEFAULT_MAX_PENDING_BYTES);
        LineClient idle = connect();
        LineClient authed = connect();
        assertEquals("OK registered", authed.call("AUTH alice secret123"));
        assertEquals("ERR auth-timeout", idle.read());
        assertNull(idle.read());
        authed.socket.setSoTimeout(500);
        assertEquals("PONG", authed.call("PING"), "authenticated connections have no idle timeout");
    }

    @Test
    void aReaderThatStopsReadingIsDroppedAndLaterMessagesAreQueued() throws Exception {
        start(1000, 10, 30, ServerConfig.MIN_PENDING_BYTES);
        LineClient bob = connect();
        assertEquals("OK registered", bob.call("AUTH bob secret123"));
        bob.socket.setReceiveBufferSize(4096);
        LineClient alice = connect();
        assertEquals("OK registered", alice.call("AUTH alice secret123"));
        String text = "z".repeat(4000);
        String reply = "OK delivered";
        int sent = 0;
        while (reply.equals("OK delivered") && sent < 10_000) {
            reply = alice.call("SEND bob " + text);
            sent++;
        }
        assertEquals("OK queued", reply, "once bob is dropped, messages to him are queued");
        assertTrue(sent > 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.openConnections() == 1);
        LineClient bob2 = connect();
        assertEquals("OK authenticated", bob2.call("AUTH bob secret123"));
        assertEquals("MSG alice " + text, bob2.read());
    }

    @Test
    void halfCloseStillGetsEveryReply() throws Exception {
        start();
        LineClient a = connect();
        a.write("PING\nPING\nPIN");
        a.socket.shutdownOutput();
        assertEquals("PONG", a.read());
        assertEquals("PONG", a.read());
        assertNull(a.read(), "the unterminated remainder gets no reply");
    }

    @Test
    void stopClosesEveryConnection() throws Exception {
        start();
        LineClient a = connect();
        assertEquals("PONG", a.call("PING"));
        loop.stop();
        thread.join(5_000);
        try {
            assertNull(a.read());
        } catch (SocketException reset) {
            // a reset is a closed connection too
        }
    }
}

package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state machine, driven line by line against the real identity store (run synchronously). */
class SessionTest {
    @TempDir
    Path dir;
    private IdentityStore store;
    private Router router;
    private Authenticator authenticator;
    private Runnable pendingAuth;

    @BeforeEach
    void open() throws Exception {
        store = IdentityStore.open(dir, PasswordHash.MIN_ITERATIONS);
        router = new Router(new HashSet<>(store.names()), 10);
        // the completion is held until complete() so the test can observe the paused state
        authenticator = (name, secret, done) -> {
            IdentityStore.Outcome outcome;
            try {
                outcome = store.authenticate(name, secret);
            } catch (java.sql.SQLException e) {
                throw new AssertionError(e);
            }
            pendingAuth = () -> done.accept(outcome);
        };
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    private final class Client {
        final RecordingPeer io = new RecordingPeer(1 << 20);
        final Session session = new Session(io, router, authenticator, System.getLogger("test"));

        String send(String line) {
            int before = io.lines.size();
            if (session.onLine(line) || pendingAuth == null) {
                return io.lines.size() > before ? io.lines.get(before) : null;
            }
            assertTrue(io.paused, "input is paused while the store works");
            Runnable r = pendingAuth;
            pendingAuth = null;
            r.run();
            return io.lines.get(before);
        }
    }

    @Test
    void walksTheTableOfReplies() {
        Client a = new Client();
        assertEquals("PONG", a.send("PING"));
        assertEquals("ERR not-authenticated", a.send("SEND bob hi"));
        assertEquals("ERR syntax", a.send("SEND bob"), "syntax is checked before state");
        assertEquals("ERR unknown-command", a.send("HELP"));
        assertEquals("OK registered", a.send("AUTH alice secret123"));
        assertFalse(a.io.paused);
        assertEquals(Session.State.AUTHENTICATED, a.session.state());
        assertEquals("ERR already-authenticated", a.send("AUTH alice secret123"));
        assertEquals("ERR unknown-recipient", a.send("SEND bob hi"));
        Client b = new Client();
        assertEquals("OK registered", b.send("AUTH bob secret456"));
        assertEquals("OK delivered", a.send("SEND bob hi"));
        assertEquals("MSG alice hi", b.io.lines.get(1));
        assertEquals("OK bye", b.send("QUIT"));
        assertTrue(b.io.closing);
        assertEquals("OK queued", a.send("SEND bob later"));
        Client b2 = new Client();
        assertEquals("OK authenticated", b2.send("AUTH bob secret456"));
        assertEquals(List.of("OK authenticated", "MSG alice later"), b2.io.lines);
    }

    @Test
    void theThirdFailureCloses() {
        new Client().send("AUTH alice secret123");
        Client c = new Client();
        assertEquals("ERR auth-failed", c.send("AUTH alice wrong-secret"));
        assertEquals(Session.State.UNAUTHENTICATED, c.session.state());
        assertEquals("ERR auth-failed", c.send("AUTH alice wrong-secret"));
        assertFalse(c.io.closing);
        assertEquals("ERR auth-failed", c.send("AUTH alice wrong-secret"));
        assertTrue(c.io.closing);
        assertEquals(Session.State.CLOSED, c.session.state());
        assertThrows(IllegalStateException.class, () -> c.session.onLine("PING"));
    }

    @Test
    void aSecondLoginReplacesTheFirst() {
        Client first = new Client();
        first.send("AUTH alice secret123");
        Client second = new Client();
        second.send("AUTH alice secret123");
        assertTrue(first.io.replacedFlag);
        first.session.onReplaced();
        assertEquals("ERR session-replaced", first.io.lines.get(first.io.lines.size() - 1));
        first.session.onClosed();
        assertTrue(router.isOnline("alice"), "closing the replaced session keeps the new one online");
    }

    @Test
    void authDeadlineClosesOnlyUnauthenticatedSessions() {
        Client idle = new Client();
        idle.session.onAuthDeadline();
        assertEquals(List.of("ERR auth-timeout"), idle.io.lines);
        assertTrue(idle.io.closing);
        Client in = new Client();
        in.send("AUTH alice secret123");
        in.session.onAuthDeadline();
        assertFalse(in.io.closing);
    }

    @Test
    void anAuthInFlightAtTheDeadlineIsAnsweredFirst() {
        new Client().send("AUTH alice secret123");
        Client ok = new Client();
        ok.session.onLine("AUTH alice secret123");
        ok.session.onAuthDeadline();
        pendingAuth.run();
        pendingAuth = null;
        assertEquals(List.of("OK authenticated"), ok.io.lines);
        assertFalse(ok.io.closing, "an AUTH that arrived in time and succeeds keeps the connection");

        Client bad = new Client();
        bad.session.onLine("AUTH alice wrong-secret");
        bad.session.onAuthDeadline();
        pendingAuth.run();
        pendingAuth = null;
        assertEquals(List.of("ERR auth-failed", "ERR auth-timeout"), bad.io.lines);
        assertTrue(bad.io.closing);
    }

    @Test
    void endOfInputTakesTheNameOffline() {
        Client a = new Client();
        a.send("AUTH alice secret123");
        assertTrue(router.isOnline("alice"));
        a.session.onEndOfInput();
        assertFalse(router.isOnline("alice"));
        assertTrue(a.io.closing);
    }

    /** QUEUE-3: the queue moves on as the connection writes, within the router's window. */
    @Test
    void aQueueMovesOnEachTimeTheConnectionHasWrittenOutput() {
        Client bob = new Client();
        bob.send("AUTH bob secret456");
        Client alice = new Client();
        alice.send("AUTH alice secret123");
        alice.send("QUIT");
        for (int i = 0; i < 5; i++) {
            bob.send("SEND alice " + i + "x".repeat(30_000));
        }
        Client a2 = new Client();
        a2.session.onOutputWritten();
        assertEquals(List.of(), a2.io.lines, "nothing is handed to a connection that has not authenticated");
        a2.send("AUTH alice secret123");
        assertEquals(1 + 3, a2.io.lines.size(), "OK authenticated, then up to the 64 KiB window: 30k, 60k, 90k");
        a2.session.onOutputWritten();
        assertEquals(1 + 3, a2.io.lines.size(), "nothing more while the output is past the window");
        a2.io.pending = 0; // the socket took everything
        a2.session.onOutputWritten();
        assertEquals(1 + 5, a2.io.lines.size());
        assertTrue(a2.io.lines.get(5).startsWith("MSG bob 4"));
    }

    @Test
    void aLineTooLongIsAnsweredThenClosed() {
        Client a = new Client();
        a.session.onLineTooLong();
        assertEquals(List.of("ERR line-too-long"), a.io.lines);
        assertTrue(a.io.closing);
    }
}

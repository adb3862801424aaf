package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's authenticator against the real identity store. The worker pool and the selector
 * thread are stand-ins that hold each task until the test runs it, so the test sees which of the
 * two runs what, and in which order.
 */
class StoreAuthenticatorTest {
    @TempDir
    Path dir;
    private IdentityStore store;
    private final HeldTasks workers = new HeldTasks();
    private final HeldTasks selectorThread = new HeldTasks();
    private final List<Exception> failures = new ArrayList<>();
    private final List<IdentityStore.Outcome> outcomes = new ArrayList<>();
    private StoreAuthenticator authenticator;

    /** An executor that runs nothing until told to. */
    static final class HeldTasks implements Executor {
        final ArrayDeque<Runnable> held = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            held.add(task);
        }

        void runOne() {
            held.remove().run();
        }
    }

    @BeforeEach
    void open() throws Exception {
        store = IdentityStore.open(dir, PasswordHash.MIN_ITERATIONS);
        authenticator = new StoreAuthenticator(store, workers, selectorThread, failures::add);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    private IdentityStore.Outcome auth(String name, String secret) {
        int before = outcomes.size();
        authenticator.authenticate(name, secret, outcomes::add);
        assertEquals(1, workers.held.size(), "the store work is handed to a worker");
        assertTrue(selectorThread.held.isEmpty());
        workers.runOne();
        assertEquals(before, outcomes.size(), "the outcome is not given on the worker thread");
        assertEquals(1, selectorThread.held.size(), "the outcome is handed to the selector thread");
        selectorThread.runOne();
        assertEquals(before + 1, outcomes.size());
        return outcomes.get(before);
    }

    @Test
    void registersThenAuthenticatesThenRefusesAWrongSecret() throws Exception {
        assertEquals(IdentityStore.Outcome.REGISTERED, auth("alice", "secret123"));
        assertTrue(store.names().contains("alice"), "registered in the store by the time the outcome is given");
        assertEquals(IdentityStore.Outcome.AUTHENTICATED, auth("alice", "secret123"));
        assertEquals(IdentityStore.Outcome.FAILED, auth("alice", "wrong-secret"));
        assertEquals(List.of(), failures);
    }

    @Test
    void returnsBeforeTheStoreHasWorked() throws Exception {
        authenticator.authenticate("bob", "secret456", outcomes::add);
        assertTrue(outcomes.isEmpty());
        assertTrue(store.names().isEmpty(), "nothing registered until a worker runs the task");
    }

    @Test
    void aStoreFailureIsReportedAndGetsNoAnswer() throws Exception {
        store.close();
        authenticator.authenticate("carol", "secret789", outcomes::add);
        workers.runOne();
        assertEquals(1, failures.size());
        assertInstanceOf(SQLException.class, failures.get(0));
        assertTrue(selectorThread.held.isEmpty(), "no answer after a store failure");
        assertTrue(outcomes.isEmpty());
    }
}

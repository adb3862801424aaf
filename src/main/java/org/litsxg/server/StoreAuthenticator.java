package org.litsxg.server;

import java.sql.SQLException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The server's {@link Authenticator}: each AUTH runs against the identity store on a worker
 * thread (key derivation and SQLite never run on the selector thread), and its outcome is handed
 * back through {@code selectorThread}, the event loop's {@link EventLoop#execute}. A store that
 * fails is reported to {@code onStoreFailure} (for the server: a fatal error, exit 1) and the
 * AUTH gets no answer.
 */
final class StoreAuthenticator implements Authenticator {
    private final IdentityStore store;
    private final Executor workers;
    private final Executor selectorThread;
    private final Consumer<Exception> onStoreFailure;

    StoreAuthenticator(IdentityStore store, Executor workers, Executor selectorThread,
                       Consumer<Exception> onStoreFailure) {
        this.store = store;
        this.workers = workers;
        this.selectorThread = selectorThread;
        this.onStoreFailure = onStoreFailure;
    }

    /** Returns at once; {@code done} later runs through {@code selectorThread}. */
    @Override
    public void authenticate(String name, String secret, Consumer<IdentityStore.Outcome> done) {
        workers.execute(() -> {
            IdentityStore.Outcome outcome;
            try {
                outcome = store.authenticate(name, secret);
            } catch (SQLException | RuntimeException e) {
                onStoreFailure.accept(e);
                return;
            }
            selectorThread.execute(() -> done.accept(outcome));
        });
    }
}

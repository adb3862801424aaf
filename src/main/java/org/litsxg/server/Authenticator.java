package org.litsxg.server;

import java.util.function.Consumer;

/** Runs an AUTH against the identity store off the selector thread. */
interface Authenticator {
    /**
     * Starts authenticating; returns at once. {@code done} is later called on the selector
     * thread with the outcome.
     */
    void authenticate(String name, String secret, Consumer<IdentityStore.Outcome> done);
}

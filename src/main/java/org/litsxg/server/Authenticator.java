package org.litsxg.server;

import java.util.function.Consumer;

/**
 * What a {@link Session} needs to check an AUTH: the work runs off the selector thread, the
 * answer comes back on it. The server's is {@link StoreAuthenticator}.
 */
interface Authenticator {
    /**
     * Starts authenticating; returns at once. {@code done} is later called on the selector
     * thread with the outcome.
     */
    void authenticate(String name, String secret, Consumer<IdentityStore.Outcome> done);
}

package org.litsxg.server;

import java.nio.file.Path;

/**
 * The reference server's settings, validated (brief, "Limits" and "Process contract").
 *
 * @param bind               address to listen on
 * @param port               TCP port, 0 for any free port
 * @param dataDir            data directory, created if missing
 * @param maxQueued          messages kept per offline recipient
 * @param maxConnections     open client connections; the next one gets {@code ERR server-full}
 * @param authTimeoutSeconds seconds a connection may stay unauthenticated
 * @param maxPendingBytes    output bytes pending for one connection before it is dropped
 * @param pbkdf2Iterations   key-derivation cost for new identities
 */
public record ServerConfig(String bind, int port, Path dataDir, int maxQueued, int maxConnections,
                           int authTimeoutSeconds, long maxPendingBytes, int pbkdf2Iterations) {
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 7667;
    public static final String DEFAULT_DATA_DIR = "./litsxg-data";
    public static final int DEFAULT_MAX_QUEUED = 1000;
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final int DEFAULT_AUTH_TIMEOUT_SECONDS = 30;
    public static final long DEFAULT_MAX_PENDING_BYTES = 1_048_576;
    /** The smallest pending-output bound: one longest MSG line must always fit. */
    public static final long MIN_PENDING_BYTES = 8_192;

    /** Throws {@link IllegalArgumentException} naming the first bad setting. */
    public ServerConfig {
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("--bind must name an address");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--port must be 0 to 65535, not " + port);
        }
        if (maxQueued < 1) {
            // Spec PROC-20: a server that queues nothing would break QUEUE-1.
            throw new IllegalArgumentException("--max-queued must be 1 or more, not " + maxQueued);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("--max-connections must be 1 or more, not " + maxConnections);
        }
        if (authTimeoutSeconds < 1) {
            throw new IllegalArgumentException("--auth-timeout must be 1 second or more, not " + authTimeoutSeconds);
        }
        if (maxPendingBytes < MIN_PENDING_BYTES) {
            throw new IllegalArgumentException("--max-pending-bytes must be " + MIN_PENDING_BYTES + " or more, not " + maxPendingBytes);
        }
        if (pbkdf2Iterations < PasswordHash.MIN_ITERATIONS) {
            throw new IllegalArgumentException("--pbkdf2-iterations must be " + PasswordHash.MIN_ITERATIONS + " or more, not " + pbkdf2Iterations);
        }
    }
}

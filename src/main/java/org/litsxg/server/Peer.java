package org.litsxg.server;

/**
 * The router's view of an authenticated connection. Called on the selector thread only.
 */
interface Peer {
    /**
     * Appends one complete line (LF included) to the peer's output. Returns false when the peer
     * cannot take it: it is closing, or the line would push its pending output past the bound, in
     * which case the peer has been dropped (and unbound) before this returns. Never blocks.
     */
    boolean offer(byte[] line);

    /** Output accepted by {@link #offer} or replies, not yet taken by the operating system. */
    long pendingBytes();

    /** Another connection authenticated as this peer's name: say so and close. */
    void replaced();
}

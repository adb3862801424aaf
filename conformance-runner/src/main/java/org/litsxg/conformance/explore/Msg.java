package org.litsxg.conformance.explore;

/**
 * A {@code MSG} the model expects on a connection, or holds in a name's offline queue.
 * {@code flushed}: sent from the queue after the reply to {@code AUTH} with sequence number
 * {@code afterSeq} (QUEUE-3); {@code lossy}: it may never arrive (LIMIT-7, AUTH-9, a close).
 */
final class Msg {
    final String from;
    final byte[] line;
    final boolean flushed;
    final long afterSeq;
    boolean lossy;

    Msg(String from, byte[] line, boolean flushed, long afterSeq) {
        this.from = from;
        this.line = line;
        this.flushed = flushed;
        this.afterSeq = afterSeq;
    }
}

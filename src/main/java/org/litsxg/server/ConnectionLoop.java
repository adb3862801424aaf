package org.litsxg.server;

/**
 * What a {@link Connection} needs from the selector loop that owns it: the loop writes, times and
 * counts connections; everything else a connection does on its own. Selector thread only.
 */
interface ConnectionLoop {
    /** {@code c} has new output: write it once this round's input has been handled. */
    void flushLater(Connection c);

    /**
     * {@code c} has written its last line and shut its output; it discards input until the
     * client's end of stream, or until the loop closes it.
     */
    void lingering(Connection c);

    /** {@code c} is dropped as a slow consumer (it is closed right after). */
    void droppedSlowConsumer(Connection c);

    /** {@code c}'s socket has been closed. */
    void closed(Connection c);
}

package org.litsxg.server;

import org.litsxg.server.WireLines.Reply;

/**
 * What a {@link Session} needs from its connection: replies, input control, and the connection
 * as the router's {@link Peer} once the session has a name. Called on the selector thread only.
 */
interface Transport extends Peer {
    /** Queues one reply line for writing. Never blocks. */
    void reply(Reply reply);

    /** Writes what is pending, then closes; no further input is processed. */
    void closeAfterFlush();

    /** Stops handing lines to the session until {@link #resumeInput()}. */
    void pauseInput();

    /** Hands buffered and new lines to the session again. */
    void resumeInput();
}

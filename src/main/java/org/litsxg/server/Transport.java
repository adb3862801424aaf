package org.litsxg.server;

import org.litsxg.server.WireLines.Reply;

/** What a {@link Session} needs from its connection. Called on the selector thread only. */
interface Transport {
    /** Queues one reply line for writing. Never blocks. */
    void reply(Reply reply);

    /** Writes what is pending, then closes; no further input is processed. */
    void closeAfterFlush();

    /** Stops handing lines to the session until {@link #resumeInput()}. */
    void pauseInput();

    /** Hands buffered and new lines to the session again. */
    void resumeInput();
}

package org.litsxg.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A peer and transport that records its lines, with a pending-output bound like a connection's. */
final class RecordingPeer implements Transport {
    final List<String> lines = new ArrayList<>();
    final long maxPending;
    long pending;
    boolean dropped;
    boolean replacedFlag;
    boolean closing;
    boolean paused;
    Runnable onDrop = () -> { };

    RecordingPeer(long maxPending) {
        this.maxPending = maxPending;
    }

    @Override
    public boolean offer(byte[] line) {
        if (dropped || closing) {
            return false;
        }
        if (pending + line.length > maxPending) {
            dropped = true;
            onDrop.run();
            return false;
        }
        pending += line.length;
        lines.add(new String(line, 0, line.length - 1, StandardCharsets.UTF_8));
        return true;
    }

    @Override
    public long pendingBytes() {
        return pending;
    }

    @Override
    public void replaced() {
        replacedFlag = true;
    }

    @Override
    public void reply(WireLines.Reply reply) {
        lines.add(reply.text());
    }

    @Override
    public void closeAfterFlush() {
        closing = true;
    }

    @Override
    public void pauseInput() {
        paused = true;
    }

    @Override
    public void resumeInput() {
        paused = false;
    }
}

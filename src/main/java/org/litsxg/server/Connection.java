package org.litsxg.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.litsxg.server.WireLines.Reply;

/**
 * One client socket on the selector thread: framing in, bounded buffered output out.
 *
 * <p>Input is read into the loop's shared buffer and framed at once; only bytes that must wait
 * (an open line, or lines behind a paused AUTH or behind backpressure) are copied into this
 * connection. Output goes to an {@link OutputBuffer}, written once per selector round. Reading
 * stops while an AUTH is with the store, while the connection's pending output exceeds
 * {@link #BACKPRESSURE_BYTES}, and after end of input. A line for this connection from others
 * that would push pending output past the configured {@code --max-pending-bytes} drops the
 * connection ({@code ERR slow-consumer} if the socket has room). Closing after an error or QUIT
 * is graceful: flush, shut output, then discard input until end of stream or until the loop
 * closes it ({@link EventLoop#LINGER_MILLIS}), so the peer reads the last line instead of a reset.
 *
 * <p>What the connection needs from the selector loop is the small {@link ConnectionLoop}; what
 * it hands up (lines, end of input, output written, close) goes to its {@link Session}.
 */
final class Connection implements Transport, LineFramer.Handler {
    /** Stop reading from a connection while its own pending output exceeds this, in bytes. */
    static final int BACKPRESSURE_BYTES = 64 * 1024;

    private final ConnectionLoop loop;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final LineDecoder decoder;
    private final LineFramer framer = new LineFramer();
    private final OutputBuffer output = new OutputBuffer();
    private final long maxPendingBytes;
    private Session session;

    private ByteBuffer backlog;
    private boolean paused;
    private boolean inputEnded;
    private boolean closing;
    private boolean lingered;
    private boolean closed;
    private boolean dirty;

    /**
     * {@code decoder} is the selector thread's (shared by its connections); the connection is
     * dropped when a line for it would push its pending output past {@code maxPendingBytes}.
     */
    Connection(ConnectionLoop loop, SocketChannel channel, SelectionKey key, LineDecoder decoder, long maxPendingBytes) {
        this.loop = loop;
        this.channel = channel;
        this.key = key;
        this.decoder = decoder;
        this.maxPendingBytes = maxPendingBytes;
    }

    void attach(Session session) {
        this.session = session;
    }

    Session session() {
        return session;
    }

    /**
     * Whether the connection has shut its output and discards input until the client's end of
     * stream (a connection closed at once, without shutting its output first, never lingered).
     */
    boolean lingered() {
        return lingered;
    }

    boolean isClosed() {
        return closed;
    }

    // ---- input ----

    void onReadable(ByteBuffer buffer) {
        buffer.clear();
        int n;
        try {
            n = channel.read(buffer);
        } catch (IOException e) {
            closeNow();
            return;
        }
        if (n < 0) {
            onEndOfStream();
            return;
        }
        if (lingered) {
            return; // output is shut: input is discarded
        }
        buffer.flip();
        process(buffer);
    }

    private void onEndOfStream() {
        inputEnded = true;
        if (lingered) {
            closeNow();
            return;
        }
        framer.discardPartial();
        if (!closing) {
            session.onEndOfInput();
        }
        updateInterest();
    }

    private void process(ByteBuffer input) {
        framer.feed(input, this);
        if (input.hasRemaining() && !closing && !closed) {
            ByteBuffer rest = ByteBuffer.allocate(input.remaining());
            rest.put(input).flip();
            backlog = rest;
        }
        updateInterest();
    }

    @Override
    public boolean onLine(byte[] bytes, int offset, int length) {
        if (length > 0) {
            String line = decoder.decode(bytes, offset, length);
            if (line == null) {
                session.onBadEncoding();
            } else if (!session.onLine(line)) {
                return false;
            }
        }
        return !inputBlocked();
    }

    @Override
    public void onLineTooLong() {
        session.onLineTooLong();
    }

    private boolean inputBlocked() {
        return paused || closing || closed || output.pending() > BACKPRESSURE_BYTES;
    }

    @Override
    public void pauseInput() {
        paused = true;
    }

    @Override
    public void resumeInput() {
        paused = false;
        resumeBacklog();
    }

    private void resumeBacklog() {
        if (backlog != null && !inputBlocked()) {
            ByteBuffer rest = backlog;
            backlog = null;
            process(rest);
        } else {
            updateInterest();
        }
    }

    // ---- output ----

    @Override
    public void reply(Reply reply) {
        if (!closed) {
            output.append(reply.line());
            markDirty();
        }
    }

    @Override
    public boolean offer(byte[] line) {
        if (closed || closing) {
            return false;
        }
        if (output.pending() + line.length > maxPendingBytes) {
            dropSlowConsumer();
            return false;
        }
        output.append(line);
        markDirty();
        return true;
    }

    @Override
    public long pendingBytes() {
        return output.pending();
    }

    @Override
    public void replaced() {
        session.onReplaced();
    }

    @Override
    public void closeAfterFlush() {
        closing = true;
        backlog = null;
        markDirty();
    }

    private void markDirty() {
        if (!dirty && !closed) {
            dirty = true;
            loop.flushLater(this);
        }
    }

    /**
     * Writes pending output, as much as the socket takes; called by the loop once per round and
     * when the socket is writable. Then the session hears that output was written (its name's
     * queue may move on), and held-back input resumes if output has room again.
     */
    void flush() {
        dirty = false;
        if (closed) {
            return;
        }
        try {
            output.writeTo(channel);
        } catch (IOException e) {
            closeNow();
            return;
        }
        if (output.pending() == 0 && closing) {
            shutdownAndLinger();
            return;
        }
        session.onOutputWritten();
        if (backlog != null) {
            resumeBacklog();
        } else {
            updateInterest();
        }
    }

    private void shutdownAndLinger() {
        if (lingered) {
            return;
        }
        if (inputEnded) {
            closeNow();
            return;
        }
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            closeNow();
            return;
        }
        lingered = true;
        loop.lingering(this);
        updateInterest();
    }

    private void dropSlowConsumer() {
        output.discardWithLastLine(channel, Reply.ERR_SLOW_CONSUMER.line());
        loop.droppedSlowConsumer(this);
        closeNow();
    }

    private void updateInterest() {
        if (closed) {
            return;
        }
        int ops = 0;
        if (lingered) {
            ops = SelectionKey.OP_READ;
        } else {
            if (!inputEnded && backlog == null && !inputBlocked()) {
                ops |= SelectionKey.OP_READ;
            }
            if (output.pending() > 0) {
                ops |= SelectionKey.OP_WRITE;
            }
        }
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    /** Closes the socket at once; idempotent. */
    void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        output.discard();
        backlog = null;
        key.cancel();
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to do for this socket
        }
        session.onClosed();
        loop.closed(this);
    }
}

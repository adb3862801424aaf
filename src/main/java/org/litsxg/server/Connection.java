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
 * connection. Output is appended to a byte array that exists only while something is pending,
 * and written once per selector round. Reading stops while an AUTH is with the store, while the
 * connection's pending output exceeds {@link EventLoop#BACKPRESSURE_BYTES}, and after end of
 * input. A line for this connection from others that would push pending output past the
 * configured {@code --max-pending-bytes} drops the connection ({@code ERR slow-consumer} if the
 * socket has room). Closing after an error or QUIT is graceful: flush, shut output, then discard
 * input until end of stream or {@link EventLoop#LINGER_MILLIS}, so the peer reads the last line
 * instead of a reset.
 */
final class Connection implements Transport, Peer, LineFramer.Handler {
    private static final int KEEP_OUTPUT_BUFFER_BYTES = 16 * 1024;

    private final EventLoop loop;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final LineFramer framer = new LineFramer();
    private final long authDeadlineNanos;
    private Session session;

    private byte[] out;
    private int outStart;
    private int outEnd;
    private ByteBuffer backlog;
    private boolean paused;
    private boolean inputEnded;
    private boolean closing;
    private boolean shutOutput;
    private long lingerDeadlineNanos;
    private boolean lingered;
    private boolean closed;
    private boolean dirty;

    Connection(EventLoop loop, SocketChannel channel, SelectionKey key, long authDeadlineNanos) {
        this.loop = loop;
        this.channel = channel;
        this.key = key;
        this.authDeadlineNanos = authDeadlineNanos;
    }

    void attach(Session session) {
        this.session = session;
    }

    Session session() {
        return session;
    }

    long authDeadlineNanos() {
        return authDeadlineNanos;
    }

    long lingerDeadlineNanos() {
        return lingerDeadlineNanos;
    }

    /** Whether the connection has shut its output and waits for the client's end of stream. */
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
        if (shutOutput) {
            return; // lingering: input is discarded
        }
        buffer.flip();
        process(buffer);
    }

    private void onEndOfStream() {
        inputEnded = true;
        if (shutOutput) {
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
            String line = loop.decoder().decode(bytes, offset, length);
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
        return paused || closing || closed || pending() > EventLoop.BACKPRESSURE_BYTES;
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
            append(reply.line());
        }
    }

    @Override
    public boolean offer(byte[] line) {
        if (closed || closing) {
            return false;
        }
        if (pending() + line.length > loop.maxPendingBytes()) {
            dropSlowConsumer();
            return false;
        }
        append(line);
        return true;
    }

    @Override
    public long pendingBytes() {
        return pending();
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

    private int pending() {
        return outEnd - outStart;
    }

    private void append(byte[] bytes) {
        reserve(bytes.length);
        System.arraycopy(bytes, 0, out, outEnd, bytes.length);
        outEnd += bytes.length;
        markDirty();
    }

    /** Makes room for {@code more} bytes after {@code outEnd}. */
    private void reserve(int more) {
        if (out == null) {
            out = new byte[Math.max(256, more)];
        } else if (outEnd + more > out.length) {
            int size = pending();
            if (size + more <= out.length && outStart > 0) {
                System.arraycopy(out, outStart, out, 0, size);
            } else {
                byte[] bigger = new byte[Math.max(out.length * 2, size + more)];
                System.arraycopy(out, outStart, bigger, 0, size);
                out = bigger;
            }
            outStart = 0;
            outEnd = size;
        }
    }

    private void markDirty() {
        if (!dirty && !closed) {
            dirty = true;
            loop.markDirty(this);
        }
    }

    /** Writes pending output; called by the loop once per round and when the socket is writable. */
    void flush() {
        dirty = false;
        if (closed) {
            return;
        }
        if (pending() > 0) {
            try {
                outStart += channel.write(ByteBuffer.wrap(out, outStart, pending()));
            } catch (IOException e) {
                closeNow();
                return;
            }
            if (pending() == 0) {
                outStart = 0;
                outEnd = 0;
                if (out.length > KEEP_OUTPUT_BUFFER_BYTES) {
                    out = null;
                }
            }
        }
        if (pending() == 0 && closing) {
            shutdownAndLinger();
            return;
        }
        String name = session.name();
        if (name != null && pending() < Router.DRAIN_WINDOW_BYTES) {
            loop.router().drain(name);
        }
        if (backlog != null) {
            resumeBacklog();
        } else {
            updateInterest();
        }
    }

    private void shutdownAndLinger() {
        if (shutOutput) {
            return;
        }
        shutOutput = true;
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
        lingerDeadlineNanos = System.nanoTime() + EventLoop.LINGER_MILLIS * 1_000_000L;
        lingered = true;
        loop.linger(this);
        updateInterest();
    }

    private void dropSlowConsumer() {
        // The error line goes out only where it starts a line of its own: never glued to half
        // a MSG line that the socket took part of.
        boolean atLineStart = outStart == 0 || out[outStart - 1] == '\n';
        out = null;
        outStart = 0;
        outEnd = 0;
        if (atLineStart) {
            try {
                channel.write(ByteBuffer.wrap(Reply.ERR_SLOW_CONSUMER.line()));
            } catch (IOException e) {
                // best effort: the reader has stopped reading, the line may not fit
            }
        }
        loop.countSlowConsumer();
        closeNow();
    }

    private void updateInterest() {
        if (closed) {
            return;
        }
        int ops = 0;
        if (shutOutput) {
            ops = SelectionKey.OP_READ;
        } else {
            if (!inputEnded && backlog == null && !inputBlocked()) {
                ops |= SelectionKey.OP_READ;
            }
            if (pending() > 0) {
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
        out = null;
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

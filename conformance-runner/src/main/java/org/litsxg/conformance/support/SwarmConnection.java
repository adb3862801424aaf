package org.litsxg.conformance.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One non-blocking connection of a {@link Swarm}: what the kit queued to write, the lines it
 * received (UTF-8 text without LF), and how it ended (the first cause counts). Its I/O runs
 * only when the swarm's selector loop says it is readable or writable.
 */
abstract class SwarmConnection {

    private final int index;
    SocketChannel channel;
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final List<String> lines = new ArrayList<>();
    boolean connected;
    String ended;
    private boolean shutdownAfterWrites;
    private boolean closeAfterWrites;

    private final Selector selector;

    SwarmConnection(int index, Selector selector) {
        this.index = index;
        this.selector = selector;
    }

    public int index() {
        return index;
    }

    /** Queues bytes to write; they go out in the next {@link Swarm#runUntil}. */
    public void write(byte[] bytes) {
        if (ended == null) {
            out.add(ByteBuffer.wrap(bytes));
            interest();
        }
    }

    /** Queues one line (UTF-8 plus LF). */
    public void writeLine(String line) {
        write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Shuts down the output (half-close) once every queued byte is written. */
    public void shutdownOutputWhenWritten() {
        shutdownAfterWrites = true;
        interest();
    }

    /** Closes the connection once every queued byte is written, without reading further. */
    public void closeWhenWritten() {
        closeAfterWrites = true;
        interest();
    }

    /** Closes now. */
    public void close() {
        end("closed by the kit");
    }

    /** Closes now with a TCP reset (SO_LINGER 0). */
    public void reset() {
        try {
            if (channel != null && channel.isOpen()) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException ignored) {
            // Closing below either way.
        }
        end("reset by the kit");
    }

    /** Lines received so far. */
    public List<String> lines() {
        return lines;
    }

    /** How the connection ended, or null while it is open. */
    public String ended() {
        return ended;
    }

    public boolean isEnded() {
        return ended != null;
    }

    /** Whether the server ended the connection (end of stream or reset), rather than the kit. */
    public boolean endedByServer() {
        return ended != null && !ended.endsWith("by the kit");
    }

    public boolean isConnected() {
        return connected;
    }

    private void interest() {
        if (channel == null || ended != null || !connected) {
            return;
        }
        SelectionKey k = channel.keyFor(selector);
        if (k != null && k.isValid()) {
            k.interestOps(SelectionKey.OP_READ | (needsWrite() ? SelectionKey.OP_WRITE : 0));
        }
    }

    boolean needsWrite() {
        return !out.isEmpty() || shutdownAfterWrites || closeAfterWrites;
    }

    /** Records how the connection ended (the first cause counts). */
    private void record(String how) {
        if (ended == null) {
            ended = how;
            if (partial.size() > 0) {
                ended += " after an unterminated \"" + Transcript.render(partial.toByteArray()) + "\"";
            }
        }
    }

    void end(String how) {
        record(how);
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // Gone either way.
        }
    }

    /**
     * The server has ended the connection (end of stream): recorded as ended, but the kit's
     * socket stays open, unread, until the swarm is closed. For the client the connection is
     * over; a server must not go on counting it (HOST-3) while it waits for the client's own
     * close, which a vanished client never sends.
     */
    private void endKeepingSocket(String how) {
        record(how);
        SelectionKey k = channel.keyFor(selector);
        if (k != null) {
            k.cancel();
        }
    }

    void readable(ByteBuffer buf) {
        try {
            while (true) {
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    endKeepingSocket("end of stream");
                    return;
                }
                if (n == 0) {
                    return;
                }
                byte[] a = buf.array();
                for (int i = 0; i < n; i++) {
                    if (a[i] == '\n') {
                        byte[] raw = partial.toByteArray();
                        partial.reset();
                        lines.add(new String(raw, StandardCharsets.UTF_8));
                    } else {
                        partial.write(a[i]);
                    }
                }
            }
        } catch (IOException e) {
            end("reset: " + e.getMessage());
        }
    }

    void writable() {
        try {
            while (!out.isEmpty()) {
                ByteBuffer b = out.peek();
                channel.write(b);
                if (b.hasRemaining()) {
                    return;
                }
                out.poll();
            }
            if (closeAfterWrites) {
                end("closed by the kit");
                return;
            }
            if (shutdownAfterWrites) {
                shutdownAfterWrites = false;
                channel.shutdownOutput();
            }
            interest();
        } catch (IOException e) {
            end("reset while writing: " + e.getMessage());
        }
    }
}

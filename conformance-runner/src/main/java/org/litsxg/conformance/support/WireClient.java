package org.litsxg.conformance.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One kit-side TCP connection to the server under test.
 *
 * <p>A reader thread ({@link LineReader}) owns the socket's input for the whole life of the
 * connection: it splits the byte stream on LF and puts every line, then the end of the
 * connection, into a blocking queue ({@link ReplyInbox}). The step thread takes from that queue
 * with a timeout, so a silent server never hangs the kit. Everything sent and received goes
 * into the {@link Transcript}.
 *
 * <p>The step thread is the only caller of {@code next*}, {@code send*} and {@code close}; the
 * class is not meant for several consumers. Reading can be paused, to play a client that
 * has stopped reading (a slow consumer).
 */
public final class WireClient implements AutoCloseable {

    /** SO_RCVBUF of a client that plays a reader that has stopped reading, set before connect. */
    public static final int NON_READING_RECEIVE_BUFFER = 4096;

    private final String name;
    private final Socket socket;
    private final OutputStream out;
    private final Transcript transcript;
    private final ReplyInbox inbox;
    private final LineReader reader;
    private final AtomicReference<Thread> writer = new AtomicReference<>();
    private final AtomicLong backgroundWritten = new AtomicLong();
    private final NameAliases aliases;
    private boolean atLineStart = true;
    /** Connected through a SOCKS proxy, where a half-close cannot be observed. */
    private final boolean throughProxy;
    private final long connectedAt;
    private volatile boolean closing;

    private WireClient(String name, Socket socket, Transcript transcript, boolean startPaused,
            NameAliases aliases, boolean throughProxy, long connectedAt) throws IOException {
        this.name = name;
        this.connectedAt = connectedAt;
        this.aliases = aliases;
        this.throughProxy = throughProxy;
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.transcript = transcript;
        this.inbox = new ReplyInbox(name);
        this.reader = new LineReader(socket.getInputStream(), transcript, aliases, inbox, () -> closing, startPaused);
        reader.start(name);
    }

    /**
     * Connects, blocking at most {@code timeout}.
     *
     * @param receiveBuffer the socket receive buffer in bytes, or 0 for the system's default
     *     (a small one makes a non-reading client's backlog show up at the server quickly)
     * @throws IOException when the connection cannot be made
     */
    public static WireClient connect(String name, InetSocketAddress address, Duration timeout,
            Transcript transcript, int receiveBuffer, boolean startPaused) throws IOException {
        return open(name, address.toString(), socket -> {
            socket.connect(address, (int) Math.max(1, timeout.toMillis()));
            if (ServerProcess.isSelfConnection(socket)) {
                throw new IOException("connected to itself: nothing listens on " + address);
            }
        }, transcript, receiveBuffer, startPaused, NameAliases.NONE, false);
    }

    /**
     * Connects with the system's receive buffer, reading from the start, with a fresh transcript
     * whose timestamps count from {@code origin} ({@link System#nanoTime()}). Blocks at most
     * {@code timeout}.
     *
     * @throws IOException when the connection cannot be made
     */
    public static WireClient connect(String name, InetSocketAddress address, Duration timeout, long origin)
            throws IOException {
        return connect(name, address, timeout, new Transcript(name, origin), 0, false);
    }

    /**
     * Connects to a server the kit did not start, directly or through its SOCKS5 proxy, with the
     * scenario's {@code aliases} applied to the names sent and received. Blocks at most about
     * {@code timeout} (twice that through a proxy).
     *
     * @throws IOException when the connection cannot be made
     */
    public static WireClient connect(String name, RemoteTarget target, Duration timeout,
            Transcript transcript, int receiveBuffer, boolean startPaused, NameAliases aliases) throws IOException {
        return open(name, target.toString(), socket -> target.connect(socket, timeout), transcript, receiveBuffer,
                startPaused, aliases, target.viaSocks());
    }

    /** How a fresh socket reaches the server. */
    private interface Dial {
        void connect(Socket socket) throws IOException;
    }

    private static WireClient open(String name, String where, Dial dial, Transcript transcript, int receiveBuffer,
            boolean startPaused, NameAliases aliases, boolean throughProxy) throws IOException {
        Socket socket = new Socket();
        long started;
        try {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.setTcpNoDelay(true);
            started = System.nanoTime();
            dial.connect(socket);
        } catch (IOException e) {
            transcript.event("connect to " + where + " failed: " + e);
            socket.close();
            throw e;
        }
        transcript.event("connected to " + where + " from local port " + socket.getLocalPort()
                + (aliases.active() ? " (" + aliases + ")" : ""));
        return new WireClient(name, socket, transcript, startPaused, aliases, throughProxy, started);
    }

    public String name() {
        return name;
    }

    /** The kit's local port of this connection. */
    public int localPort() {
        return socket.getLocalPort();
    }

    /**
     * {@link System#nanoTime()} just before the connect began: the server cannot have accepted
     * the connection earlier, so a deadline it counts from accept is no earlier than this plus
     * its length (however late the kit's thread ran after the connect).
     */
    public long connectedAt() {
        return connectedAt;
    }

    /** Puts a line back in front of the replies {@link #nextReply} and {@link #next} return. */
    public void pushBack(Received r) {
        inbox.pushBack(r);
    }

    public Transcript transcript() {
        return transcript;
    }

    /** Sends one line: {@code line} in UTF-8 followed by LF. Blocks while the socket is full. */
    public void send(String line) throws IOException {
        sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends bytes exactly as given. Blocks while the socket's send buffer is full. */
    public void sendBytes(byte[] bytes) throws IOException {
        byte[] wire = aliases.outgoing(bytes, atLineStart);
        if (bytes.length > 0) {
            atLineStart = bytes[bytes.length - 1] == '\n';
        }
        transcript.sent(wire);
        try {
            out.write(wire);
            out.flush();
        } catch (IOException e) {
            transcript.event("send failed: " + e.getMessage());
            throw e;
        }
    }

    /**
     * Sends {@code count} copies of {@code line} + LF from a background thread, so that the
     * step thread is free while the server pushes back. The transcript records one entry.
     */
    public CompletableFuture<Void> sendRepeatedInBackground(String line, int count) {
        byte[] one = aliases.outgoing((line + "\n").getBytes(StandardCharsets.UTF_8), true);
        transcript.event("sending " + count + " x \"" + Transcript.render(one) + "\" in the background");
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                byte[] chunk = new byte[one.length * 256];
                for (int i = 0; i < 256; i++) {
                    System.arraycopy(one, 0, chunk, i * one.length, one.length);
                }
                int left = count;
                while (left > 0) {
                    int k = Math.min(256, left);
                    out.write(chunk, 0, k * one.length);
                    backgroundWritten.addAndGet((long) k * one.length);
                    left -= k;
                }
                out.flush();
                transcript.event("background send of " + count + " lines complete");
                done.complete(null);
            } catch (IOException e) {
                transcript.event("background send failed: " + e.getMessage());
                done.completeExceptionally(e);
            }
        }, "litsxg-kit-writer-" + name);
        t.setDaemon(true);
        writer.set(t);
        t.start();
        return done;
    }

    /** The raw bytes of the first 10000 lines received, without their LF. */
    public List<byte[]> rawLines() {
        return reader.rawLines();
    }

    /** Shrinks the socket's send buffer, so that the kit's writes stall soon after the server's reads. */
    public void smallSendBuffer() throws IOException {
        socket.setSendBufferSize(4096);
    }

    /** Bytes the background writer has handed to the socket so far. */
    public long backgroundBytesWritten() {
        return backgroundWritten.get();
    }

    /** Connected through a SOCKS proxy (Tor): the end of the stream the kit sees is the proxy's. */
    public boolean throughProxy() {
        return throughProxy;
    }

    /** Half-closes: the server sees end of stream; the kit can still read. */
    public void shutdownOutput() throws IOException {
        if (throughProxy) {
            // Tor answers a client's half-close by ending the whole stream (RELAY_END), so the
            // server's behaviour on a half-closed connection cannot be observed through it.
            throw new Unimplemented("through a SOCKS proxy (Tor) a half-close ends the whole stream; "
                    + "this scenario needs a direct connection");
        }
        transcript.event("kit shuts down its output (half-close)");
        socket.shutdownOutput();
    }

    /** Stops taking bytes from the socket (after the read in progress, if any). */
    public void pauseReading() {
        reader.pause(true);
        transcript.event("kit stops reading");
    }

    /** Takes bytes from the socket again. */
    public void resumeReading() {
        transcript.event("kit reads again");
        reader.pause(false);
    }

    /** The next thing that arrives, of any kind. Blocks at most {@code timeout}. */
    public Received next(Duration timeout) {
        return inbox.next(timeout);
    }

    /**
     * The next reply (any line that is not {@code MSG}), holding back {@code MSG} lines that
     * arrive first for {@link #nextMessage}. Blocks at most {@code timeout}.
     */
    public Received nextReply(Duration timeout) {
        return inbox.nextReply(timeout);
    }

    /**
     * The next {@code MSG} line, holding back replies that arrive first for
     * {@link #nextReply}. Blocks at most {@code timeout}.
     */
    public Received nextMessage(Duration timeout) {
        return inbox.nextMessage(timeout);
    }

    /** Whether lines were taken off the wire but not yet consumed by a step. */
    public boolean hasHeldLines() {
        return inbox.hasHeldLines();
    }

    /** The held lines as text, for a failure message. */
    public String heldLines() {
        return inbox.heldLines();
    }

    /**
     * Watches the connection for {@code period} and returns the first thing that arrived in
     * that time, if anything did (a line or the end of the connection). Uses Awaitility's
     * {@code during}, never a sleep.
     */
    public Optional<Received> firstArrivalWithin(Duration period) {
        return inbox.firstArrivalWithin(period);
    }

    /** Drops everything up to the end of the connection; returns how it ended, or nothing. */
    public Received drainUntilClosed(Duration timeout) {
        return inbox.drainUntilClosed(timeout);
    }

    /** Whether the connection has been seen to end (by a step having consumed its end). */
    public boolean isClosedSeen() {
        return inbox.isClosedSeen();
    }

    /** Whether the kit itself has closed this connection. */
    public boolean isClosedByKit() {
        return closing;
    }

    /** Closes the socket; idempotent; never blocks for long. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        transcript.event("kit closes the connection");
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing to do: the socket is gone either way.
        }
        reader.pause(false);
        Thread w = writer.get();
        if (w != null) {
            w.interrupt();
        }
    }
}

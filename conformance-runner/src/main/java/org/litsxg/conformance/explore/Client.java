package org.litsxg.conformance.explore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.litsxg.conformance.support.ServerProcess;

/**
 * One explorer connection. Written for the explorer rather than reusing
 * {@link org.litsxg.conformance.support.WireClient}: the explorer needs every connection's
 * lines and ends in one queue, in arrival order, with a sequence number (the model judges
 * queued messages against the reply they follow), a reset (SO_LINGER 0), and the bytes of an
 * unterminated remainder at the end; WireClient keeps a queue per connection for step threads.
 */
final class Client {

    final Conn conn;
    private final Socket socket;
    private final OutputStream out;
    private final RunLog log;
    private final Object pauseLock = new Object();
    private boolean paused;
    private volatile boolean closing;

    private Client(Conn conn, Socket socket, RunLog log) throws IOException {
        this.conn = conn;
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.log = log;
    }

    /** A connected socket, before the model knows of it. */
    static Socket dial(InetSocketAddress address, boolean smallBuffers, int timeoutMs) throws IOException {
        Socket s = new Socket();
        try {
            if (smallBuffers) {
                s.setReceiveBufferSize(4096);
            }
            s.setTcpNoDelay(true);
            s.connect(address, timeoutMs);
            if (ServerProcess.isSelfConnection(s)) {
                throw new IOException("connected to itself: nothing listens on " + address);
            }
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Starts reading {@code socket} for {@code conn} into {@code events}. */
    static Client start(Conn conn, Socket socket, RunLog log, BlockingQueue<Obs> events, AtomicLong seq)
            throws IOException {
        Client c = new Client(conn, socket, log);
        InputStream in = socket.getInputStream();
        Thread t = new Thread(() -> c.readLoop(in, events, seq), "litsxg-explore-" + conn.label);
        t.setDaemon(true);
        t.start();
        return c;
    }

    private void readLoop(InputStream in, BlockingQueue<Obs> events, AtomicLong seq) {
        byte[] buf = new byte[16384];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (true) {
                synchronized (pauseLock) {
                    while (paused && !closing) {
                        pauseLock.wait();
                    }
                }
                int n = in.read(buf);
                if (n < 0) {
                    end(events, seq, false, line.toByteArray());
                    return;
                }
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        byte[] raw = line.toByteArray();
                        line.reset();
                        synchronized (events) {
                            long s = seq.incrementAndGet();
                            log.received(conn.label, raw);
                            events.add(new Obs.Got(conn, s, System.nanoTime(), raw));
                        }
                    } else {
                        line.write(buf[i]);
                    }
                }
            }
        } catch (IOException e) {
            if (!closing) {
                end(events, seq, true, line.toByteArray());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void end(BlockingQueue<Obs> events, AtomicLong seq, boolean reset, byte[] tail) {
        synchronized (events) {
            long s = seq.incrementAndGet();
            log.event(conn.label, (reset ? "connection reset" : "connection closed by the server")
                    + (tail.length > 0 ? " after an unterminated \"" + org.litsxg.conformance.support.Transcript.render(tail) + "\"" : ""));
            events.add(new Obs.Ended(conn, s, System.nanoTime(), reset, tail));
        }
    }

    /** Writes bytes; false when the write failed (the server has closed or reset the connection). */
    boolean write(byte[] b, int from, int to) {
        log.sent(conn.label, java.util.Arrays.copyOfRange(b, from, to));
        try {
            out.write(b, from, to - from);
            out.flush();
            return true;
        } catch (IOException e) {
            log.event(conn.label, "write failed: " + e.getMessage());
            return false;
        }
    }

    void halfClose() {
        log.event(conn.label, "client half-closes");
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            log.event(conn.label, "half-close failed: " + e.getMessage());
        }
    }

    /** Closes (FIN), or with {@code reset} aborts (RST, SO_LINGER 0). */
    void close(boolean reset) {
        if (closing) {
            return;
        }
        log.event(conn.label, reset ? "client resets the connection" : "client closes the connection");
        closing = true;
        try {
            if (reset) {
                socket.setSoLinger(true, 0);
            }
            socket.close();
        } catch (IOException ignored) {
            // gone either way
        }
        synchronized (pauseLock) {
            pauseLock.notifyAll();
        }
    }

    boolean isClosing() {
        return closing;
    }

    void pause(boolean on) {
        log.event(conn.label, on ? "client stops reading" : "client reads again");
        synchronized (pauseLock) {
            paused = on;
            pauseLock.notifyAll();
        }
    }
}

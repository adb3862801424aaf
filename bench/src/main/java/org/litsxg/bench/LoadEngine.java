package org.litsxg.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * The load generator: N client connections driven by the calling thread alone, with plain
 * {@code java.nio} ({@link ClientMux}: one selector, one shared read buffer, one output array
 * per client written once per round), so that the generator costs little CPU beside the server
 * it measures. Here: the workload phases (connect and register, probe, traffic, queueing); what
 * each line received counts for is {@link LineCounter}'s.
 *
 * <p>Every message text is exactly {@code size} bytes: 16 hexadecimal digits of the
 * {@link System#nanoTime()} at which the generator put the line into its sender's output
 * ({@link LatencyStamp}), a space, and filler. The recipient's copy of the text is the last {@code size} bytes of the
 * line it gets (a Litsxg {@code MSG} or an IRC {@code PRIVMSG}), so end-to-end latency (sender's
 * buffer to recipient's read) is measured the same way for any server and recorded in an
 * {@link Histogram}. Not thread-safe; every method blocks for at most its stated bound.
 */
final class LoadEngine implements AutoCloseable {
    /** Latencies above this are recorded as this (one minute, in nanoseconds). */
    static final long HIGHEST_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /**
     * Registrations in flight while connecting, by default. ngircd listens with a backlog of 10:
     * more connections than that waiting for accept() overflow it, and the kernel then drops
     * their handshake's last ACK, so the client believes it is connected while its first lines
     * wait for retransmission (seconds). A small window keeps both servers out of that.
     */
    static final int REGISTER_WINDOW = 8;

    /** Counters of one traffic run, over its measured window (after the warm-up). */
    record Run(double seconds, long sent, long received, long acks, long queued, long errors, long lost,
               double deliveredPerSecond, Histogram latency, double generatorCpuPercent, double serverCpuPercent) {
    }

    private final Dialect dialect;
    private final int size;
    private final String namePrefix;
    private final ClientMux mux;
    private final List<ClientMux.Client> clients;
    private final long base = System.nanoTime();
    private final byte[] lineEnd;
    private final LineCounter counter;
    private final Tally tally;
    private byte[][] prefixes = new byte[0][];

    /**
     * @param dialect   what the server speaks
     * @param size       message text size in bytes (at least 24)
     * @param namePrefix client names are this prefix and the client's number
     */
    LoadEngine(Dialect dialect, int size, String namePrefix) throws IOException {
        if (size < LatencyStamp.DIGITS + 8) {
            throw new IllegalArgumentException("message size must be at least " + (LatencyStamp.DIGITS + 8) + " bytes");
        }
        this.dialect = dialect;
        this.size = size;
        this.namePrefix = namePrefix;
        this.counter = new LineCounter(dialect, size, base);
        this.mux = new ClientMux(counter);
        counter.replyTo(mux, this::name);
        this.tally = counter.tally();
        this.clients = mux.clients();
        this.lineEnd = dialect.lineEnd();
    }

    String name(int index) {
        return namePrefix + index;
    }

    int size() {
        return clients.size();
    }

    long registered() {
        return tally.registered;
    }

    long errors() {
        return tally.errors;
    }

    long closedByServer() {
        return mux.closedByServer();
    }

    List<String> firstErrors() {
        return counter.firstErrors();
    }

    /**
     * Opens {@code count} more connections (numbered on from those already open), from the
     * {@code sources} addresses in turn (none: the system's choice), and registers each one,
     * keeping at most {@code window} registrations unanswered. Returns how many of all clients
     * are registered when every new one answered or {@code timeoutSeconds} passed.
     */
    long connect(InetSocketAddress server, int count, List<InetAddress> sources, int window, int timeoutSeconds)
            throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        int first = clients.size();
        growPrefixes(first + count);
        for (int i = first; i < first + count; i++) {
            while (clients.size() - tally.registered - mux.closedByServer() >= window) {
                mux.poll(10);
                if (System.nanoTime() > deadline) {
                    return tally.registered;
                }
            }
            ClientMux.Client c = mux.open(server, sources.isEmpty() ? null : sources.get(i % sources.size()));
            byte[] reg = dialect.register(name(i));
            mux.append(c, reg, 0, reg.length);
            if ((i & 63) == 0) {
                mux.poll(-1);
            }
        }
        while (tally.registered + mux.closedByServer() < clients.size() && System.nanoTime() < deadline) {
            mux.poll(10);
        }
        return tally.registered;
    }

    private void growPrefixes(int n) {
        byte[][] bigger = new byte[n][];
        System.arraycopy(prefixes, 0, bigger, 0, prefixes.length);
        for (int i = prefixes.length; i < n; i++) {
            bigger[i] = dialect.messagePrefix(name(i).getBytes(StandardCharsets.US_ASCII));
        }
        prefixes = bigger;
    }

    /** Sends a liveness probe on every open client; returns how many answered within the timeout. */
    long pingAll(int timeoutSeconds) throws IOException {
        byte[] ping = dialect.ping();
        int open = 0;
        for (ClientMux.Client c : clients) {
            c.ponged = false;
            if (!c.dead) {
                mux.append(c, ping, 0, ping.length);
                open++;
            }
        }
        tally.pongs = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        mux.flushDirty();
        while (tally.pongs < open && System.nanoTime() < deadline) {
            mux.poll(10);
        }
        return tally.pongs;
    }

    /**
     * Sends direct messages from random clients to random other clients: at {@code rate}
     * messages per second in all, or, when {@code rate} is 0, as fast as the server delivers
     * them with at most {@code window} messages in flight (sent, not yet received). The first
     * {@code warmupSeconds} are not measured. Afterwards waits at most 10 s for messages still in
     * flight (those that never arrive are counted lost). Returns the measured window's figures.
     *
     * @param serverCpuMillis the server's CPU time so far, sampled at the start and end of the
     *                        measured window (null: not reported)
     */
    Run traffic(double rate, double warmupSeconds, double seconds, int window, long seed, LongSupplier serverCpuMillis)
            throws IOException {
        if (clients.size() < 2) {
            throw new IllegalStateException("traffic needs at least two clients");
        }
        SplittableRandom random = new SplittableRandom(seed);
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupSeconds * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        long sentAtStart = tally.sent;
        Tally at0 = new Tally();
        long genCpu0 = 0;
        long srvCpu0 = 0;
        counter.recording(false);
        long now = start;
        // In fixed-rate mode nothing caps what is in flight but this: a server that falls more
        // than 10 s behind is not worth waiting for.
        long inFlightCap = rate > 0 ? (long) Math.max(window, rate * 10) : window;
        while (now < end) {
            if (!counter.recording() && now >= measureFrom) {
                counter.recording(true);
                at0 = tally.copy();
                genCpu0 = ProcStats.cpuMillis(ProcessHandle.current().pid());
                srvCpu0 = serverCpuMillis == null ? 0 : serverCpuMillis.getAsLong();
            }
            long target = rate > 0 ? sentAtStart + (long) ((now - start) * rate / 1e9) : Long.MAX_VALUE;
            while (tally.sent < target && tally.sent - tally.received < inFlightCap) {
                sendRandom(random, now);
            }
            mux.flushDirty();
            mux.poll(rate > 0 ? 1 : 10);
            now = System.nanoTime();
        }
        long receivedInWindow = tally.received - at0.received;
        long genCpu = ProcStats.cpuMillis(ProcessHandle.current().pid()) - genCpu0;
        long srvCpu = serverCpuMillis == null ? 0 : serverCpuMillis.getAsLong() - srvCpu0;
        double measured = (System.nanoTime() - measureFrom) / 1e9;
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (tally.received < tally.sent && System.nanoTime() < drainUntil && mux.closedByServer() == 0) {
            mux.poll(10);
        }
        counter.recording(false);
        return new Run(measured, tally.sent - at0.sent, receivedInWindow, tally.acks - at0.acks, tally.queued - at0.queued,
                tally.errors - at0.errors, tally.sent - tally.received, receivedInWindow / measured, counter.latency(),
                genCpu * 100.0 / (measured * 1000), srvCpu * 100.0 / (measured * 1000));
    }

    /**
     * Sends {@code perRecipient} messages to each of {@code recipients} names
     * ({@code recipientPrefix} and a number from 0), from this engine's open clients in turn,
     * keeping at most {@code window} unanswered. Litsxg only: for recipients that are not
     * connected each is answered {@code OK queued} (or an error). Returns the number answered
     * {@code OK queued}; gives up after {@code timeoutSeconds}.
     */
    long queueFor(String recipientPrefix, int recipients, int perRecipient, int window, int timeoutSeconds) throws IOException {
        byte[][] to = new byte[recipients][];
        for (int r = 0; r < recipients; r++) {
            to[r] = dialect.messagePrefix((recipientPrefix + r).getBytes(StandardCharsets.US_ASCII));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        long queued0 = tally.queued;
        long errors0 = tally.errors;
        long total = (long) recipients * perRecipient;
        long issued = 0;
        int senders = clients.size();
        long now = System.nanoTime();
        for (int round = 0; round < perRecipient; round++) {
            for (int r = 0; r < recipients; r++) {
                while (issued - (tally.queued - queued0) - (tally.errors - errors0) >= window) {
                    mux.flushDirty();
                    mux.poll(10);
                    if (System.nanoTime() > deadline) {
                        return tally.queued - queued0;
                    }
                    now = System.nanoTime();
                }
                message(clients.get((int) (issued % senders)), to[r], now);
                issued++;
            }
        }
        mux.flushDirty();
        while ((tally.queued - queued0) + (tally.errors - errors0) < total && System.nanoTime() < deadline) {
            mux.poll(10);
        }
        return tally.queued - queued0;
    }

    /** Messages received so far, by every client. */
    long received() {
        return tally.received;
    }

    /** Waits until {@code count} messages in all have been received or the timeout passed. */
    long awaitReceived(long count, int timeoutSeconds) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (tally.received < count && System.nanoTime() < deadline) {
            mux.poll(10);
        }
        return tally.received;
    }

    private void sendRandom(SplittableRandom random, long now) {
        int n = clients.size();
        ClientMux.Client from = clients.get(random.nextInt(n));
        int to = random.nextInt(n - 1);
        if (to >= from.index) {
            to++;
        }
        message(from, prefixes[to], now);
    }

    /** Queues one message line on {@code from}: {@code prefix}, the stamp of {@code now}, a space, filler. */
    private void message(ClientMux.Client from, byte[] prefix, long now) {
        mux.reserve(from, prefix.length + size + lineEnd.length);
        byte[] out = from.out;
        int at = from.outLength;
        System.arraycopy(prefix, 0, out, at, prefix.length);
        at += prefix.length;
        LatencyStamp.write(out, at, now - base);
        at += LatencyStamp.DIGITS;
        out[at++] = ' ';
        for (int i = LatencyStamp.DIGITS + 1; i < size; i++) {
            out[at++] = 'x';
        }
        System.arraycopy(lineEnd, 0, out, at, lineEnd.length);
        mux.commit(from, at + lineEnd.length);
        tally.sent++;
    }

    /** Closes clients {@code from} to {@code to} (exclusive), not counted as closed by the server. */
    void closeClients(int from, int to) {
        mux.closeClients(from, to);
    }

    @Override
    public void close() throws IOException {
        mux.close();
    }
}

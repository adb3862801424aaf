package org.litsxg.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What each line a {@link LoadEngine} client receives counts for ({@link Tally}); while
 * recording, a message's latency from the stamp in its text ({@link LatencyStamp}); the first
 * few errors, for the report. Answers a server's PING on the client's own output.
 */
final class LineCounter implements ClientMux.LineHandler {
    private final Dialect dialect;
    private final int size;
    private final long base;
    private final Tally tally = new Tally();
    private final List<String> firstErrors = new ArrayList<>();
    private Histogram histogram = new Histogram(LoadEngine.HIGHEST_LATENCY_NANOS, 3);
    private boolean recording;
    private ClientMux mux;
    private NameOf names;

    /** A client's name, for an error's report. */
    interface NameOf {
        String name(int index);
    }

    /**
     * @param size message text size (the stamp is at the start of a line's last {@code size} bytes)
     * @param base the {@link System#nanoTime()} stamps count from
     */
    LineCounter(Dialect dialect, int size, long base) {
        this.dialect = dialect;
        this.size = size;
        this.base = base;
    }

    /** Where a server's PING is answered, and how clients are named. */
    void replyTo(ClientMux mux, NameOf names) {
        this.mux = mux;
        this.names = names;
    }

    Tally tally() {
        return tally;
    }

    List<String> firstErrors() {
        return firstErrors;
    }

    boolean recording() {
        return recording;
    }

    /** Starts (with a fresh latency histogram) or stops recording latencies. */
    void recording(boolean on) {
        if (on) {
            histogram = new Histogram(LoadEngine.HIGHEST_LATENCY_NANOS, 3);
        }
        recording = on;
    }

    /** The latencies recorded since recording last started, in nanoseconds. */
    Histogram latency() {
        return histogram;
    }

    /** Counts one line received; a message's latency while recording. */
    @Override
    public void line(ClientMux.Client c, byte[] b, int off, int len, long now) {
        if (len > 0 && b[off + len - 1] == '\r') {
            len--;
        }
        switch (dialect.classify(b, off, len)) {
            case MESSAGE -> {
                tally.received++;
                if (recording && len >= size) {
                    long latency = now - base - LatencyStamp.parse(b, off + len - size);
                    histogram.recordValue(Math.max(0, Math.min(latency, LoadEngine.HIGHEST_LATENCY_NANOS)));
                }
            }
            case ACK -> tally.acks++;
            case QUEUED -> tally.queued++;
            case REGISTERED -> {
                if (!c.registered) {
                    c.registered = true;
                    tally.registered++;
                }
            }
            case PONG -> {
                if (!c.ponged) {
                    c.ponged = true;
                    tally.pongs++;
                }
            }
            case SERVER_PING -> {
                byte[] pong = Dialect.pongFor(b, off, len);
                mux.append(c, pong, 0, pong.length);
            }
            case ERROR -> {
                tally.errors++;
                if (firstErrors.size() < 5) {
                    firstErrors.add(names.name(c.index) + " got: " + new String(b, off, len, StandardCharsets.UTF_8));
                }
            }
            case OTHER -> {
                // welcome burst, notices: nothing to count
            }
        }
    }
}

package org.litsxg.conformance.support;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Drains one output stream of a server process for the whole life of the process, keeping
 * every byte and every complete line. A process whose pipe is not drained blocks on write, so
 * the drain starts with the process and ends only at end of stream.
 *
 * <p>Thread-safe: one drain thread writes, step threads read snapshots.
 */
public final class OutputCapture {

    private final String label;
    private final long origin;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<String> lines = new ArrayList<>();
    private final List<String> timedLines = new ArrayList<>();
    private final List<Long> times = new ArrayList<>();
    private final java.util.function.Consumer<String> hook;
    private final Thread drain;
    private volatile boolean ended;

    OutputCapture(String label, InputStream in, long origin) {
        this(label, in, origin, null);
    }

    /**
     * As {@link #OutputCapture(String, InputStream, long)}, with {@code hook} (may be null) run
     * on the drain thread for every line the moment it is read, before any step thread can see
     * it: a check that must look at the world when a line appears (PROC-6) runs there.
     */
    OutputCapture(String label, InputStream in, long origin, java.util.function.Consumer<String> hook) {
        this.label = label;
        this.origin = origin;
        this.hook = hook;
        this.drain = new Thread(() -> drain(in), "litsxg-kit-drain-" + label);
        this.drain.setDaemon(true);
        this.drain.start();
    }

    private void drain(InputStream in) {
        byte[] buf = new byte[8192];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (this) {
                    bytes.write(buf, 0, n);
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            addLine(line.toByteArray());
                            line.reset();
                        } else {
                            line.write(buf[i]);
                        }
                    }
                }
            }
        } catch (IOException e) {
            // The process is gone; what we have is all there is.
        } finally {
            synchronized (this) {
                if (line.size() > 0) {
                    addLine(line.toByteArray());
                }
            }
            ended = true;
        }
    }

    private void addLine(byte[] raw) {
        int end = raw.length;
        if (end > 0 && raw[end - 1] == '\r') {
            end--;
        }
        String text = new String(raw, 0, end, StandardCharsets.UTF_8);
        long now = System.nanoTime();
        if (hook != null) {
            try {
                hook.accept(text);
            } catch (RuntimeException e) {
                // A hook records what it sees; it never stops the drain.
            }
        }
        lines.add(text);
        times.add(now);
        timedLines.add(String.format("%8.3f %s", (System.nanoTime() - origin) / 1e9, text));
    }

    /** Every complete line so far (a final unterminated one once the stream has ended). */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /**
     * {@link System#nanoTime()} at which the first line matching {@code test} was read, if one
     * has been.
     */
    public synchronized Optional<Long> firstLineAt(Predicate<String> test) {
        for (int i = 0; i < lines.size(); i++) {
            if (test.test(lines.get(i))) {
                return Optional.of(times.get(i));
            }
        }
        return Optional.empty();
    }

    /** Every byte so far. */
    public synchronized byte[] bytes() {
        return bytes.toByteArray();
    }

    /** The output so far as text, each line prefixed with the kit's clock, for a report. */
    public synchronized String timestamped() {
        StringBuilder out = new StringBuilder();
        timedLines.forEach(l -> out.append(l).append('\n'));
        return out.toString();
    }

    /** Whether the process has closed this stream (it has exited, normally). */
    public boolean ended() {
        return ended;
    }

    /** Waits (at most {@code timeout}) until the stream has been read to its end. */
    public void awaitEnd(Duration timeout) {
        try {
            drain.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits at most {@code timeout} for a line matching {@code test}; gives up early when
     * {@code giveUp} holds (the process has exited).
     */
    public Optional<String> awaitLine(Predicate<String> test, Duration timeout,
            java.util.function.BooleanSupplier giveUp) {
        try {
            return await(label + " prints a matching line")
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        Optional<String> hit = lines().stream().filter(test).findFirst();
                        if (hit.isEmpty() && giveUp.getAsBoolean() && ended) {
                            return Optional.of("\u0000gave-up");
                        }
                        return hit;
                    }, Optional::isPresent)
                    .filter(l -> !l.equals("\u0000gave-up"));
        } catch (ConditionTimeoutException e) {
            return Optional.empty();
        }
    }
}

package org.litsxg.conformance.support;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A well-behaved client that keeps checking, from a thread of its own, that the server still
 * serves it while a hostile client does its worst on other connections: over and over, a
 * {@code PING} answered {@code PONG}, then a {@code SEND} to its partner answered
 * {@code OK delivered} and received by the partner as the exact {@code MSG} line. Every round
 * trip must complete within a bound; the first that does not, or that gets anything else, ends
 * the checking with a failure.
 *
 * <p>Owns its two connections while it runs: nobody else reads from them until {@link #stop}
 * has returned. Between round trips it waits a short pace on its stop signal (a bounded poll,
 * not a sleep), so that it measures the server without loading it.
 */
public final class WellBehavedClient {

    /** One completed round trip, in {@link System#nanoTime()} units. */
    public record RoundTrip(long start, long end) {
        public Duration took() {
            return Duration.ofNanos(end - start);
        }
    }

    private static final Duration PACE = Duration.ofMillis(20);

    private final WireClient client;
    private final String name;
    private final WireClient partner;
    private final String partnerName;
    private final Duration bound;
    private final List<RoundTrip> trips = Collections.synchronizedList(new ArrayList<>());
    private final LinkedBlockingQueue<Boolean> stop = new LinkedBlockingQueue<>();
    private volatile String failure;
    private int count;
    private Thread thread;

    public WellBehavedClient(WireClient client, String name, WireClient partner, String partnerName,
            Duration bound) {
        this.client = client;
        this.name = name;
        this.partner = partner;
        this.partnerName = partnerName;
        this.bound = bound;
    }

    /** Starts checking in the background. */
    public void start() {
        thread = new Thread(this::loop, "litsxg-kit-well-behaved-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (stop.poll(PACE.toMillis(), TimeUnit.MILLISECONDS) == null) {
                Optional<String> f = roundTrip();
                if (f.isPresent()) {
                    failure = f.get();
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the background checking; waits for the round trip in progress (at most the bound
     * and a second).
     */
    public void stop() {
        if (thread == null) {
            return;
        }
        stop.add(Boolean.TRUE);
        try {
            thread.join(bound.plusSeconds(1).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            failure = failure != null ? failure : "a round trip was still waiting after " + bound.toMillis() + " ms";
            thread.interrupt();
        }
        thread = null;
    }

    /**
     * One round trip, on the calling thread (only while not running in the background):
     * nothing if it completed within the bound, else what went wrong.
     */
    public Optional<String> roundTrip() {
        int n = ++count;
        long start = System.nanoTime();
        long deadline = start + bound.toNanos();
        try {
            client.send("PING");
            Received pong = client.nextReply(left(deadline));
            if (!(pong instanceof Received.Line l && l.text().equals("PONG"))) {
                return Optional.of("round trip " + n + ": PING got " + pong);
            }
            String text = "probe " + n + " of the well-behaved client";
            client.send("SEND " + partnerName + " " + text);
            Received ok = client.nextReply(left(deadline));
            if (!(ok instanceof Received.Line o && o.firstTokens(2).equals("OK delivered"))) {
                return Optional.of("round trip " + n + ": its SEND got " + ok);
            }
            Received msg = partner.nextMessage(left(deadline));
            String expected = "MSG " + name + " " + text;
            if (!(msg instanceof Received.Line m && m.text().equals(expected))) {
                return Optional.of("round trip " + n + ": the partner expected \"" + expected + "\" and got " + msg);
            }
        } catch (IOException e) {
            return Optional.of("round trip " + n + ": a write failed: " + e.getMessage());
        }
        long end = System.nanoTime();
        trips.add(new RoundTrip(start, end));
        if (end - start > bound.toNanos()) {
            return Optional.of("round trip " + n + " took " + (end - start) / 1_000_000 + " ms");
        }
        return Optional.empty();
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    }

    /** What went wrong in the background, if anything. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** The round trips completed so far. */
    public List<RoundTrip> trips() {
        synchronized (trips) {
            return List.copyOf(trips);
        }
    }

    public Duration bound() {
        return bound;
    }
}

package org.litsxg.conformance.explore;

import java.util.AbstractList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one queue into which every client's reader thread puts what its connection saw, in
 * arrival order with a sequence number; the explorer's thread takes from it and lets the
 * model judge ({@link #pump}), and waits until the build owes nothing ({@link #settle}).
 */
final class EventPump {

    final LinkedBlockingQueue<Obs> events = new LinkedBlockingQueue<>();
    final AtomicLong seq = new AtomicLong();
    private final Model model;
    private final Explorer.Settings settings;
    private final BuildUnderTest build;
    private long lastEventAt;

    EventPump(Model model, Explorer.Settings settings, BuildUnderTest build) {
        this.model = model;
        this.settings = settings;
        this.build = build;
    }

    /** Takes events for {@code nanos} and lets the model judge them. */
    void pump(long nanos) {
        long end = System.nanoTime() + nanos;
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                Obs o = events.poll(left, TimeUnit.NANOSECONDS);
                if (o == null) {
                    break;
                }
                model.observe(o);
                lastEventAt = System.nanoTime();
                events.drainTo(new AbstractList<Obs>() {
                    @Override
                    public boolean add(Obs x) {
                        model.observe(x);
                        return true;
                    }

                    @Override
                    public Obs get(int i) {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public int size() {
                        return 0;
                    }
                });
                model.progress(System.nanoTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        model.progress(System.nanoTime());
    }

    /** Waits until the build owes nothing; the divergence if it still does after {@code timeout}. */
    Divergence settle(long timeout) {
        long deadline = System.nanoTime() + timeout;
        while (true) {
            pump(TimeUnit.MILLISECONDS.toNanos(5));
            long now = System.nanoTime();
            if (!model.isDown() && !build.isAlive()) {
                pump(settings.scaled(0.2).toNanos());
                return build.exitedOnItsOwn();
            }
            if (model.settled(now)) {
                model.prune(now);
                return null;
            }
            // An observation nothing has explained while no event arrived for a second will not
            // be explained (what could explain it is an event on another connection that the
            // server wrote at the same moment): report it without waiting for the whole deadline.
            boolean quietAndUnexplained = now - lastEventAt > settings.scaled(1).toNanos() && model.hasUnexplained();
            if (now > deadline || quietAndUnexplained) {
                Divergence d = model.stuck(now);
                return d != null ? d : new Divergence(List.of("WIRE-9"), "server", "the build settles", "it did not", null);
            }
        }
    }
}

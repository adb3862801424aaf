package org.litsxg.conformance.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Every process the kit has started and that still runs. When the kit's JVM is stopped
 * (SIGTERM, Ctrl-C, or its normal end with a scenario still holding a server), a shutdown
 * hook stops them (TERM, then KILL after two seconds) and their descendants, so that no
 * build under test is left running, listening, without its kit.
 */
final class LiveProcesses {

    private static final Set<ServerProcess> LIVE = ConcurrentHashMap.newKeySet();
    private static volatile boolean stopping;
    /** Starts under way: a process forked but not yet in {@link #LIVE}. */
    private static final AtomicInteger STARTING = new AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(LiveProcesses::stopAll, "litsxg-kit-stop-servers"));
    }

    /** What starts a process (may throw). */
    interface Start {
        ServerProcess start() throws IOException;
    }

    private LiveProcesses() {
    }

    /** Runs {@code start} unless the kit is stopping, and keeps the process until it exits. */
    static ServerProcess register(Start start) throws IOException {
        ServerProcess sp;
        STARTING.incrementAndGet();
        try {
            if (stopping) {
                throw new IOException("the kit is stopping");
            }
            sp = start.start();
            LIVE.add(sp);
        } finally {
            STARTING.decrementAndGet();
        }
        sp.onExit(() -> LIVE.remove(sp));
        return sp;
    }

    private static void stopAll() {
        stopping = true; // no new start from now on
        try {
            // A start under way when the kit was stopped has forked its process already.
            await("starts under way finish").atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(5)).until(() -> STARTING.get() == 0);
        } catch (ConditionTimeoutException e) {
            // Stop what is known; a start stuck for five seconds is not one that forked.
        }
        // As terminate() does for one process, for all at once: TERM to every tree, one shared
        // two-second grace, then KILL to whatever of each tree is left.
        List<List<ProcessHandle>> trees = LIVE.stream().map(ServerProcess::processTree).toList();
        trees.forEach(t -> t.forEach(ProcessHandle::destroy));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (List<ProcessHandle> t : trees) {
            try {
                t.get(0).onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // KILL below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        trees.forEach(ProcessTree::kill);
    }
}

package org.litsxg.conformance.support;

import java.time.Duration;

/**
 * The numbers the spec (1.1) gives the process contract's timing words, before the kit's
 * timescale. The kit's startup timeout stays the outer bound of every wait (a slow machine
 * still gets its figure measured and printed); the clause is judged at these numbers.
 */
public final class ProcessTimes {

    /** PROC-7: on an empty data directory the ready line comes within this of the launch. */
    public static final Duration READY = Duration.ofSeconds(5);

    /** PROC-9 to PROC-12: a build that cannot start has exited within this of its launch. */
    public static final Duration FAILED_START_EXIT = Duration.ofSeconds(5);

    /** PROC-13, PROC-14: "at once" exits (signal, fatal run-time error) within this of the cause. */
    public static final Duration AT_ONCE_EXIT = Duration.ofSeconds(5);

    /** PROC-16: how long the port is watched after the listening process died, for a restarter. */
    public static final Duration RESTARTER_WATCH = Duration.ofSeconds(3);

    private ProcessTimes() {
    }

    /** Seconds with two decimals, for a measured figure. */
    public static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}

package org.litsxg.conformance.explore;

/** The limits the server was started with (placeholders), and the time slack. */
record Limits(int maxQueued, int maxConnections, long authTimeoutNanos, long maxPendingBytes, double timescale) {

    /** How late the auth timeout may fire (AUTH-11 gives no tolerance; timers and a busy machine need one). */
    long authSlackNanos() {
        return (long) (1_500_000_000L * timescale);
    }

    /**
     * How long after the kit closed or reset a connection the server may still treat it as
     * open (its name connected, its slot counted). Permissive: the spec has no bound.
     */
    long noticeNanos() {
        return (long) (3_000_000_000L * timescale);
    }
}

package org.litsxg.bench;

/**
 * What a {@link LoadEngine} has counted so far: lines sent and each kind of line received. A
 * {@link #copy()} taken at the start of a measured window, subtracted from the counts at its
 * end, gives the window's figures.
 */
final class Tally {
    long sent;
    long received;
    long acks;
    long queued;
    long errors;
    long registered;
    long pongs;

    Tally copy() {
        Tally t = new Tally();
        t.sent = sent;
        t.received = received;
        t.acks = acks;
        t.queued = queued;
        t.errors = errors;
        t.registered = registered;
        t.pongs = pongs;
        return t;
    }
}

package org.litsxg.server;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT stop the server cleanly (exit 0). A JVM shutdown hook cannot give that
 * status (the JVM exits 143 or 130), so the signals are handled directly.
 */
final class Signals {
    private Signals() {
    }

    @SuppressWarnings("sunapi")
    static void onTermOrInt(Runnable action) {
        Signal.handle(new Signal("TERM"), s -> action.run());
        Signal.handle(new Signal("INT"), s -> action.run());
    }
}

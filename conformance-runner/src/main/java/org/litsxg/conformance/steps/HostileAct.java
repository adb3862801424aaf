package org.litsxg.conformance.steps;

/**
 * When the scenario's hostile act began and ended ({@link System#nanoTime()}, 0 for not yet):
 * the well-behaved client must complete round trips while it lasts. One per scenario, injected
 * by cucumber-picocontainer into the steps that act and the one that judges.
 */
public final class HostileAct {

    private long start;
    private long end;

    /** The act begins now (an earlier act's end is forgotten). */
    void starts() {
        start = System.nanoTime();
        end = 0;
    }

    /** The act has ended now. */
    void ends() {
        end = System.nanoTime();
    }

    /** Ends the act now if it began and has not ended. */
    void endsIfRunning() {
        if (end == 0 && start != 0) {
            ends();
        }
    }

    long start() {
        return start;
    }

    long end() {
        return end;
    }
}

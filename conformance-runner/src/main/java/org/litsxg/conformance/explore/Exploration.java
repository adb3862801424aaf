package org.litsxg.conformance.explore;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.jqwik.api.sessions.JqwikSession;

/**
 * One exploration: random actions for a time budget; on a divergence, a replay of the recorded
 * actions to confirm it, shrinking within a budget, and the shrunk run as a scenario.
 */
public final class Exploration {

    /** Names the explorer's clients use: one more than there are clients, so one is often offline. */
    static final List<String> NAMES = List.of("ann", "bob", "cyd", "dee", "eve", "fay", "gus", "hal", "ida", "jon", "kay",
            "lou", "max", "ned", "oli", "pam", "quin");

    /** What an exploration found. */
    public record Result(long seed, Explorer.Outcome run, Divergence divergence, boolean confirmed,
            Explorer.Outcome shrunk, String gherkin, int shrinkTries) {
    }

    private Exploration() {
    }

    static List<String> names(int clients) {
        return NAMES.subList(0, Math.min(NAMES.size(), clients + 1));
    }

    /**
     * Explores for {@code seconds}; on a divergence confirms and shrinks it (at most
     * {@code shrinkSeconds}).
     */
    public static Result explore(Explorer.Settings s, long seed, double seconds, double shrinkSeconds,
            Consumer<String> progress) throws Explorer.StartFailure {
        Explorer.Outcome run;
        // jqwik's generators need a jqwik context on the thread that draws; outside its engine
        // that is a JqwikSession (the engine itself never runs here).
        JqwikSession.start();
        try (Explorer e = new Explorer(s)) {
            run = e.run(new RandomSource(seed, names(s.clients()), s.restarts()),
                    System.nanoTime() + (long) (seconds * 1e9), progress);
        } catch (Explorer.StartFailure f) {
            throw f;
        } catch (java.io.IOException x) {
            throw new Explorer.StartFailure(x.toString());
        } finally {
            JqwikSession.finish();
        }
        if (run.divergence() == null) {
            return new Result(seed, run, null, false, null, null, 0);
        }
        Divergence d = run.divergence();
        if (progress != null) {
            progress.accept("explore: divergence after " + (run.failedAt() + 1) + " actions: " + d.text());
            progress.accept("explore: confirming by replaying the recorded actions of seed " + seed);
        }
        List<Action> prefix = run.actions().subList(0, run.failedAt() + 1);
        Explorer.Outcome replayed = replay(s, prefix);
        boolean confirmed = replayed.divergence() != null && replayed.divergence().sameKind(d);
        Explorer.Outcome best = confirmed ? replayed : run;
        int tries = 0;
        if (confirmed) {
            if (progress != null) {
                progress.accept("explore: confirmed; shrinking (at most " + (int) shrinkSeconds + " s)");
            }
            Shrinker sh = new Shrinker(list -> replay(s, list), d, System.nanoTime()
                    + TimeUnit.MILLISECONDS.toNanos((long) (shrinkSeconds * 1000)), 400);
            best = sh.shrink(replayed);
            tries = sh.tries();
        } else if (progress != null) {
            progress.accept("explore: the replay did not diverge the same way ("
                    + (replayed.divergence() == null ? "no divergence" : replayed.divergence().text()) + "): timing-dependent");
        }
        String gherkin = GherkinWriter.scenario(s, best, seed);
        return new Result(seed, run, best.divergence(), confirmed, best, gherkin, tries);
    }

    /** Replays {@code actions} on a fresh server (fresh data directory). */
    static Explorer.Outcome replay(Explorer.Settings s, List<Action> actions) {
        try (Explorer e = new Explorer(s)) {
            java.util.Iterator<Action> it = List.copyOf(actions).iterator();
            return e.run(x -> it.hasNext() ? it.next() : null, Long.MAX_VALUE, null);
        } catch (java.io.IOException x) {
            return new Explorer.Outcome(actions, List.of(), 0, 0, 0, new Divergence(List.of("PROC-6"), "server",
                    "the build starts", x.getMessage(), null), -1, List.of(), List.of(), 0, "", Map.of());
        }
    }
}

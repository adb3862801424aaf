package org.litsxg.conformance.upgrade;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.litsxg.conformance.report.Outcome;
import org.litsxg.conformance.report.ScenarioResult;

/**
 * Compares two runs of the features, scenario by scenario: the outcome, and the normalised wire
 * transcript ({@link Normaliser}). Each scenario gets one {@link Kind}; what the new build
 * answers that the old one and the contract did not is found by {@link Extensions}.
 */
public final class BehaviourDiff {

    /** How a scenario changed from the old build to the new one. */
    public enum Kind {
        /** Same outcome, same normalised bytes. */
        UNCHANGED("unchanged"),
        /** Failed (or could not run) before, passes now. */
        FIXED("fixed"),
        /** Passed before, fails (or can no longer run) now. */
        REGRESSED("regressed"),
        /** Same outcome, different normalised bytes. */
        DRIFT("drift"),
        /** The new build answers with a command or reply the old build did not have. */
        EXTENSION("extension"),
        /** Run against one build only (the selection or the features differ). */
        UNMATCHED("unmatched"),
        /**
         * Fixed or regressed in the first runs, but a re-run of both builds did not give the
         * same change: the outcome depends on timing, not on the build. Listed for review, not a
         * reason on its own.
         */
        UNSTABLE("unstable");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One scenario's comparison. {@code detail} says what changed, or is empty. */
    public record Scenario(String location, String name, List<String> clauses, Outcome from, Outcome to, Kind kind,
            String detail, List<String> fromLines, List<String> toLines) {
    }

    /** The result: every scenario, and the extensions found in the new build's replies. */
    public record Result(List<Scenario> scenarios, List<String> extensions) {

        public long count(Kind k) {
            return scenarios.stream().filter(s -> s.kind() == k).count();
        }

        public List<Scenario> of(Kind k) {
            return scenarios.stream().filter(s -> s.kind() == k).toList();
        }
    }

    private BehaviourDiff() {
    }

    /** The scenarios whose outcome changed (fixed or regressed): those a re-run confirms. */
    public static List<String> outcomeChanges(Result diff) {
        List<String> locations = new ArrayList<>();
        for (Scenario s : diff.scenarios()) {
            if (s.kind() == Kind.FIXED || s.kind() == Kind.REGRESSED) {
                locations.add(s.location());
            }
        }
        return locations;
    }

    /**
     * {@code diff} with each fixed or regressed scenario kept only if the re-runs of both builds
     * ({@code againFrom}, {@code againTo}) show the same two outcomes; otherwise it becomes
     * {@link Kind#UNSTABLE}, its detail saying what the re-run gave.
     */
    public static Result confirm(Result diff, SuiteRun againFrom, SuiteRun againTo) {
        Map<String, ScenarioResult> from = byLocation(againFrom.report().scenarios());
        Map<String, ScenarioResult> to = byLocation(againTo.report().scenarios());
        List<Scenario> out = new ArrayList<>();
        for (Scenario s : diff.scenarios()) {
            if (s.kind() != Kind.FIXED && s.kind() != Kind.REGRESSED) {
                out.add(s);
                continue;
            }
            ScenarioResult f = from.get(s.location());
            ScenarioResult t = to.get(s.location());
            Outcome of = f == null ? null : f.outcome();
            Outcome ot = t == null ? null : t.outcome();
            if (of == s.from() && ot == s.to()) {
                out.add(new Scenario(s.location(), s.name(), s.clauses(), s.from(), s.to(), s.kind(),
                        s.detail() + " (confirmed by a re-run of both builds)", s.fromLines(), s.toLines()));
            } else {
                out.add(new Scenario(s.location(), s.name(), s.clauses(), s.from(), s.to(), Kind.UNSTABLE,
                        s.kind().label() + " in the first runs (" + s.from() + " -> " + s.to() + "), but a re-run gave "
                                + (of == null ? "nothing" : of.toString()) + " -> " + (ot == null ? "nothing" : ot.toString())
                                + ": " + s.detail(),
                        s.fromLines(), s.toLines()));
            }
        }
        return new Result(List.copyOf(out), diff.extensions());
    }

    /** Compares the run of the old build with the run of the new one. */
    public static Result compare(SuiteRun from, SuiteRun to) {
        Map<String, ScenarioResult> before = byLocation(from.report().scenarios());
        Map<String, ScenarioResult> after = byLocation(to.report().scenarios());
        Set<String> vocabularyBefore = new TreeSet<>();
        from.transcripts().values().forEach(ts -> ts.forEach(t -> Extensions.replies(t.get("text"), vocabularyBefore)));
        Set<String> contract = Extensions.contractReplies();
        List<Scenario> out = new ArrayList<>();
        Map<String, List<String>> extensions = new LinkedHashMap<>();
        Set<String> locations = new LinkedHashSet<>(before.keySet());
        locations.addAll(after.keySet());
        for (String loc : locations) {
            ScenarioResult a = before.get(loc);
            ScenarioResult b = after.get(loc);
            List<String> la = Normaliser.scenario(from.transcripts().get(loc));
            List<String> lb = Normaliser.scenario(to.transcripts().get(loc));
            if (a == null || b == null) {
                ScenarioResult s = a != null ? a : b;
                out.add(new Scenario(loc, s.name(), s.clauses(), a == null ? null : a.outcome(),
                        b == null ? null : b.outcome(), Kind.UNMATCHED, "run against one build only", la, lb));
                continue;
            }
            List<String> found = new ArrayList<>();
            Set<String> vocabularyHere = new TreeSet<>();
            (to.transcripts().getOrDefault(loc, List.of())).forEach(t -> Extensions.replies(t.get("text"), vocabularyHere));
            for (String r : vocabularyHere) {
                if (!vocabularyBefore.contains(r) && !contract.contains(r)) {
                    found.add("reply \"" + r + "\" (the old build never sent it, and the contract has no such reply)");
                }
            }
            found.addAll(Extensions.newlyKnownCommands(from.transcripts().get(loc), to.transcripts().get(loc)));
            Kind kind;
            String detail;
            int ra = rank(a.outcome());
            int rb = rank(b.outcome());
            // Extensions count wherever they show, whatever the scenario's outcome did.
            found.forEach(f -> extensions.computeIfAbsent(f, k -> new ArrayList<>()).add(loc));
            if (rb < ra) {
                kind = Kind.REGRESSED;
                detail = a.outcome().label() + " -> " + b.outcome().label() + firstLine(b.message());
            } else if (!found.isEmpty()) {
                kind = Kind.EXTENSION;
                detail = String.join("; ", found);
            } else if (rb > ra && rb == PASS) {
                kind = Kind.FIXED;
                detail = a.outcome().label() + " -> " + b.outcome().label();
            } else if (!la.equals(lb) || a.outcome() != b.outcome() || !a.status().equals(b.status())) {
                kind = Kind.DRIFT;
                detail = a.outcome() != b.outcome() || !a.status().equals(b.status())
                        ? a.outcome().label() + " (" + a.status() + ") -> " + b.outcome().label() + " (" + b.status() + ")"
                        : firstDifference(la, lb);
            } else {
                kind = Kind.UNCHANGED;
                detail = "";
            }
            out.add(new Scenario(loc, a.name(), a.clauses(), a.outcome(), b.outcome(), kind, detail, la, lb));
        }
        List<String> listed = new ArrayList<>();
        extensions.forEach((f, locs) -> listed.add(f + " in " + (locs.size() == 1 ? locs.get(0)
                : locs.size() + " scenarios (" + String.join(", ", locs) + ")")));
        return new Result(List.copyOf(out), List.copyOf(listed));
    }

    private static final int PASS = 2;

    /** Passing (OK, or a judged-nothing scenario that passed) 2, not run 1, failing 0. */
    private static int rank(Outcome o) {
        return switch (o) {
            case OK, INFORMATIONAL -> PASS;
            case NOT_RUN -> 1;
            case NON_STRICT, FAILED -> 0;
        };
    }

    private static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "";
        }
        String l = message.strip().lines().findFirst().orElse("");
        return ": " + (l.length() > 200 ? l.substring(0, 197) + "..." : l);
    }

    /** The first line where two normal forms differ, both sides. */
    static String firstDifference(List<String> a, List<String> b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            if (!a.get(i).equals(b.get(i))) {
                return "old: " + a.get(i).strip() + " | new: " + b.get(i).strip();
            }
        }
        if (a.size() > n) {
            return "only the old build: " + a.get(n).strip();
        }
        return b.size() > n ? "only the new build: " + b.get(n).strip() : "";
    }

    private static Map<String, ScenarioResult> byLocation(List<ScenarioResult> rs) {
        Map<String, ScenarioResult> m = new LinkedHashMap<>();
        rs.forEach(r -> m.put(r.location(), r));
        return m;
    }

    /** {@link Extensions#vocabularyWord}: {@code OK <word>}, {@code ERR <code>}, or the first token. */
    static String vocabularyWord(String reply) {
        return Extensions.vocabularyWord(reply);
    }

    /** {@link Extensions#contractReplies}: the replies the wire contract defines. */
    public static Set<String> contractReplies() {
        return Extensions.contractReplies();
    }
}

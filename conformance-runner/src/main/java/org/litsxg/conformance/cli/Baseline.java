package org.litsxg.conformance.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.litsxg.conformance.report.Outcome;
import org.litsxg.conformance.report.OutcomeReport;
import org.litsxg.conformance.support.ClauseCatalog;

/**
 * An expected-failures baseline: one clause id a line, optionally followed by a reason;
 * {@code #} starts a comment. A listed clause that fails does not fail the run; a listed clause
 * that now passes does (the entry is stale and must be removed), as in the MCP conformance kit.
 */
public final class Baseline {
    private final Map<String, String> entries;

    private Baseline(Map<String, String> entries) {
        this.entries = entries;
    }

    public static Baseline empty() {
        return new Baseline(Map.of());
    }

    /** Reads {@code file}; throws {@link IllegalArgumentException} naming the bad line. */
    public static Baseline read(Path file, ClauseCatalog catalog) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String body = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (body.isEmpty()) {
                continue;
            }
            String[] parts = body.split("\\s+", 2);
            if (catalog.get(parts[0]).isEmpty()) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": '" + parts[0] + "' is not a clause id of the spec");
            }
            entries.put(parts[0], parts.length > 1 ? parts[1] : "");
        }
        return new Baseline(entries);
    }

    public Set<String> ids() {
        return entries.keySet();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** What the baseline makes of a report. */
    public record Verdict(List<String> newFailures, List<String> expectedFailures, List<String> stale,
                          List<String> missing) {
        public boolean passes() {
            return newFailures.isEmpty() && stale.isEmpty() && missing.isEmpty();
        }
    }

    /**
     * Splits the failing clauses into new and expected ones and finds stale entries.
     *
     * @param strict      NON-STRICT clauses count as failures
     * @param failOnSkip  testable clauses that were selected but not run count as failures
     */
    public Verdict judge(OutcomeReport report, boolean strict, boolean failOnSkip) {
        List<String> fresh = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (OutcomeReport.ClauseResult c : report.clauses()) {
            boolean failing = c.outcome() == Outcome.FAILED || strict && c.outcome() == Outcome.NON_STRICT;
            boolean listed = entries.containsKey(c.id());
            if (failing) {
                (listed ? expected : fresh).add(c.id());
            } else if (listed && (c.outcome() == Outcome.OK || c.outcome() == Outcome.INFORMATIONAL
                    || c.outcome() == Outcome.NON_STRICT)) {
                stale.add(c.id());
            } else if (c.outcome() == Outcome.NOT_RUN && (strict || failOnSkip) && hasScenarios(c)) {
                missing.add(c.id());
            }
        }
        return new Verdict(fresh, expected, stale, missing);
    }

    /** A clause with scenarios is testable; the spec's untestable clauses have none. */
    private static boolean hasScenarios(OutcomeReport.ClauseResult c) {
        return c.scenarios() != null && !c.scenarios().isEmpty();
    }
}

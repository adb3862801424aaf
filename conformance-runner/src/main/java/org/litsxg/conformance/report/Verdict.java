package org.litsxg.conformance.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.litsxg.conformance.support.ClauseCatalog;

/**
 * What one run's outcomes mean for certification: the one verdict, and the one summary line,
 * that {@code mvn verify} ({@link OutcomePlugin}) and the command line ({@code litsxg
 * conformance}, {@code matrix}) print and write.
 *
 * <p>A run is {@code conformant} unless a clause FAILED that the baseline does not expect, a
 * baseline entry is stale (its clause no longer fails: the entry must go), or the policy asks
 * for more: with {@code strict} a NON-STRICT clause fails too, and with {@code strict} or
 * {@code failOnSkip} a testable clause that was not run does. Otherwise it is {@code NOT
 * CONFORMANT}. A testable clause not run is never passed: the summary counts it, and the
 * policy decides whether it fails the run.
 *
 * @param newFailures      failing clauses the baseline does not list
 * @param expectedFailures failing clauses the baseline lists
 * @param stale            clauses the baseline lists that no longer fail
 * @param missing          testable clauses not run that the policy counts as failures
 */
public record Verdict(OutcomeReport report, Policy policy, List<String> newFailures, List<String> expectedFailures,
        List<String> stale, List<String> missing) {

    /**
     * How demanding the verdict is.
     *
     * @param strict     NON-STRICT clauses, and testable clauses not run, fail the run
     * @param failOnSkip testable clauses not run fail the run
     */
    public record Policy(boolean strict, boolean failOnSkip) {
        /** The default of {@code mvn verify} and of the command line without options. */
        public static final Policy DEFAULT = new Policy(false, false);
    }

    public Verdict {
        newFailures = List.copyOf(newFailures);
        expectedFailures = List.copyOf(expectedFailures);
        stale = List.copyOf(stale);
        missing = List.copyOf(missing);
    }

    /** Judges {@code report} under {@code policy}, with no expected failures. */
    public static Verdict of(OutcomeReport report, Policy policy) {
        return of(report, policy, Set.of());
    }

    /**
     * Judges {@code report} under {@code policy}; the clauses in {@code expected} (a baseline)
     * may fail without failing the run, and fail it when they no longer fail.
     */
    public static Verdict of(OutcomeReport report, Policy policy, Set<String> expected) {
        List<String> fresh = new ArrayList<>();
        List<String> known = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (OutcomeReport.ClauseResult c : report.clauses()) {
            boolean failing = c.outcome() == Outcome.FAILED || policy.strict() && c.outcome() == Outcome.NON_STRICT;
            boolean listed = expected.contains(c.id());
            if (failing) {
                (listed ? known : fresh).add(c.id());
            } else if (listed && (c.outcome() == Outcome.OK || c.outcome() == Outcome.INFORMATIONAL
                    || c.outcome() == Outcome.NON_STRICT)) {
                stale.add(c.id());
            } else if (c.testableNotRun() && (policy.strict() || policy.failOnSkip())) {
                missing.add(c.id());
            }
        }
        return new Verdict(report, policy, fresh, known, stale, missing);
    }

    /** Whether the build passes. */
    public boolean conformant() {
        return newFailures.isEmpty() && stale.isEmpty() && missing.isEmpty();
    }

    /** {@code conformant} or {@code NOT CONFORMANT}, the first word of the summary. */
    public String label() {
        return conformant() ? "conformant" : "NOT CONFORMANT";
    }

    /** The summary line, ending in the spec version. */
    public String summaryLine() {
        return summary(" (spec " + ClauseCatalog.version() + ")");
    }

    /** The summary line, ending in the run's wall time and the spec version. */
    public String summaryLine(double seconds) {
        return summary(String.format(Locale.ROOT, " (%.1f s; spec %s)", seconds, ClauseCatalog.version()));
    }

    /**
     * For example {@code conformant: 155/162 clauses, 0 failed, 7 not run (7 untestable by the
     * spec), 15 informational; not for a build: 10 operator duties, 7 release obligations
     * (UPG-11, UPG-12, FINAL-9 checked by verify-upgrade) (31.2 s; spec 1.1)}.
     */
    private String summary(String tail) {
        long passed = report.count(Outcome.OK) + report.count(Outcome.INFORMATIONAL);
        StringBuilder s = new StringBuilder();
        s.append(label()).append(": ").append(passed).append('/').append(report.serverClauseCount()).append(" clauses");
        List<String> bits = new ArrayList<>();
        bits.add(report.count(Outcome.FAILED) + " failed");
        if (report.count(Outcome.NON_STRICT) > 0) {
            bits.add(report.count(Outcome.NON_STRICT) + " non-strict");
        }
        long notRun = report.count(Outcome.NOT_RUN);
        if (notRun > 0) {
            bits.add(notRun + " not run (" + report.untestable() + " untestable by the spec)");
        }
        if (report.count(Outcome.INFORMATIONAL) > 0) {
            bits.add(report.count(Outcome.INFORMATIONAL) + " informational");
        }
        if (!expectedFailures.isEmpty()) {
            bits.add(expectedFailures.size() + " expected by the baseline");
        }
        if (!stale.isEmpty()) {
            bits.add(stale.size() + " stale baseline entries");
        }
        s.append(", ").append(String.join(", ", bits));
        String obligations = report.obligationsText();
        if (!obligations.isEmpty()) {
            s.append("; not for a build: ").append(obligations);
        }
        if (!report.unselected().isEmpty()) {
            s.append("; ").append(report.unselected().size()).append(" clauses not selected");
        }
        if (!newFailures.isEmpty()) {
            s.append(" [failed: ").append(String.join(" ", newFailures)).append(']');
        }
        return s.append(tail).toString();
    }
}

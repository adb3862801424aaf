package org.litsxg.conformance.explore;

import java.util.List;

/**
 * A build did something the spec's model does not allow (or did not do something it requires).
 *
 * @param clauses the clause ids the model attributes it to (spec/litsxg.md)
 * @param where the connection label (c1, c2, ...) or {@code server}
 * @param expected what the model allowed there
 * @param actual what the build did
 * @param step a step of the kit's features that asserts what the model expected there (without
 *     its keyword), or null when the kit has no step for it
 */
public record Divergence(List<String> clauses, String where, String expected, String actual, String step) {

    public Divergence {
        clauses = List.copyOf(clauses);
    }

    /** One line: clauses, where, expected, actual. */
    public String text() {
        return String.join(",", clauses) + " at " + where + ": expected " + expected + "; actual " + actual;
    }

    /** Whether two divergences are the same finding (same clauses and place, for shrinking). */
    public boolean sameKind(Divergence o) {
        return o != null && o.clauses.equals(clauses);
    }
}

package org.litsxg.conformance.support;

import java.util.List;

/**
 * A requirement the build under test did not meet. The message names each clause the scenario
 * checks with its quoted requirement, then what the kit expected and what it observed, the way
 * h2spec reports a failure.
 */
public final class ConformanceFailure extends AssertionError {

    private static final long serialVersionUID = 1L;

    public ConformanceFailure(List<String> requirements, String expected, String actual) {
        super(message(requirements, expected, actual));
    }

    private static String message(List<String> requirements, String expected, String actual) {
        StringBuilder out = new StringBuilder();
        if (requirements.isEmpty()) {
            out.append("Requirement: (scenario carries no clause tag)\n");
        }
        for (String r : requirements) {
            out.append("Requirement: ").append(r).append('\n');
        }
        out.append("Expected:    ").append(expected).append('\n');
        out.append("Actual:      ").append(actual);
        return out.toString();
    }
}

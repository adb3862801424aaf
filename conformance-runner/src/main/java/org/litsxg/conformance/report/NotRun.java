package org.litsxg.conformance.report;

import java.util.Locale;

/**
 * Why a scenario or a clause was not run: its outcome is {@link Outcome#NOT_RUN}, never
 * counted as passed. Decided from what Cucumber reports (the status, and the type of the error
 * a step or hook threw), never from the text of a message.
 */
public enum NotRun {
    /** The spec marks the clause untestable ({@code clauses.tsv}); no scenario checks it. */
    UNTESTABLE,
    /**
     * The build lacks what the check needs (a placeholder of its command template, a local
     * server in external mode, a command that starts at all): a step threw
     * {@link org.litsxg.conformance.support.Unimplemented}.
     */
    UNIMPLEMENTED,
    /** A step has no definition. */
    UNDEFINED,
    /** A step is pending. */
    PENDING,
    /** Skipped for any other reason (an aborted step, a step after a skipped one, an unused step). */
    SKIPPED;

    /** The name {@code outcomes.json} uses: the constant in lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a {@link #label()} (or the constant's name). */
    public static NotRun of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }

    /** A clause not run for this reason is testable: a build could have been checked against it. */
    public boolean testable() {
        return this != UNTESTABLE;
    }
}

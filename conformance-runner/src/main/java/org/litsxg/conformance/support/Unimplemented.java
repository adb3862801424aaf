package org.litsxg.conformance.support;

import org.opentest4j.TestAbortedException;

/**
 * The scenario cannot run against this build (for instance its command template has no
 * placeholder for a limit the scenario must set). Cucumber reports the scenario as skipped;
 * the outcome model reports it NOT RUN (UNIMPLEMENTED), never passed.
 */
public final class Unimplemented extends TestAbortedException {

    private static final long serialVersionUID = 1L;

    /** The prefix of every message, which the outcome model looks for. */
    public static final String PREFIX = "UNIMPLEMENTED: ";

    public Unimplemented(String why) {
        super(PREFIX + why);
    }
}

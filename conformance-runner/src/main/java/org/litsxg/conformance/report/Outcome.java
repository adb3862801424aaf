package org.litsxg.conformance.report;

/**
 * What the kit concluded about a scenario or a clause (the Autobahn|Testsuite vocabulary).
 *
 * <ul>
 *   <li>{@link #OK}: the build behaves as the clause states.</li>
 *   <li>{@link #FAILED}: a MUST or MUST NOT clause is broken; fails certification.</li>
 *   <li>{@link #NON_STRICT}: a SHOULD clause is broken; reported, does not fail
 *       certification.</li>
 *   <li>{@link #INFORMATIONAL}: a MAY or IMPLEMENTATION-DEPENDENT clause: the kit recorded
 *       what the build did and judged nothing.</li>
 *   <li>{@link #NOT_RUN}: the kit could not check the clause on this build (untestable, the
 *       build lacks what the check needs, or a step is undefined); never counted as
 *       passed.</li>
 * </ul>
 */
public enum Outcome {
    OK("OK"),
    INFORMATIONAL("INFORMATIONAL"),
    NOT_RUN("NOT RUN"),
    NON_STRICT("NON-STRICT"),
    FAILED("FAILED");

    private final String label;

    Outcome(String label) {
        this.label = label;
    }

    /** The label reports print. */
    public String label() {
        return label;
    }

    /** Parses a {@link #label()} (or the enum name). */
    public static Outcome of(String label) {
        for (Outcome o : values()) {
            if (o.label.equals(label) || o.name().equals(label)) {
                return o;
            }
        }
        throw new IllegalArgumentException("not an outcome: " + label);
    }

    /** The worse of two outcomes, for a clause checked by several scenarios. */
    public static Outcome worst(Outcome a, Outcome b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }
}

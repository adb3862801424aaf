package org.litsxg.conformance.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.litsxg.conformance.support.ClauseCatalog;
import org.litsxg.conformance.support.Unimplemented;

/**
 * One scenario's result: where it is, which clauses it checks at which level, how Cucumber
 * ended it, and the outcome that follows.
 *
 * @param location    {@code features/auth.feature:12}
 * @param status      Cucumber's status: PASSED, FAILED, SKIPPED, PENDING, UNDEFINED, AMBIGUOUS, UNUSED
 * @param notRun      why the scenario was not run, when its outcome is NOT RUN (else null)
 * @param message     the first error's message, if any
 * @param observations what an informational scenario recorded
 */
public record ScenarioResult(String name, String location, List<String> tags, List<String> clauses,
        String level, String status, Outcome outcome, NotRun notRun, String message, List<String> observations) {

    /** The level tags, lower case, in order of strength. */
    public static final List<String> LEVELS = List.of("must", "should", "may", "informational");

    /**
     * Builds a result from what Cucumber reports, deciding the outcome:
     * PASSED gives OK (MUST, SHOULD) or INFORMATIONAL (MAY, informational); FAILED or
     * AMBIGUOUS gives FAILED (MUST), NON-STRICT (SHOULD) or INFORMATIONAL (MAY,
     * informational); anything else (SKIPPED, PENDING, UNDEFINED, UNUSED) gives NOT RUN, and
     * why ({@link NotRun}) follows from the status and the type of {@code error}: an
     * {@link Unimplemented} anywhere in its causes is {@link NotRun#UNIMPLEMENTED}.
     *
     * @param error what the scenario threw (Cucumber's first error), or null
     */
    public static ScenarioResult of(String name, String location, List<String> tags, String status,
            Throwable error, List<String> observations, ClauseCatalog catalog) {
        String message = error == null ? null : error.getMessage() == null ? error.toString() : error.getMessage();
        return decide(name, location, tags, status, message, unimplemented(error), observations, catalog);
    }

    /**
     * As {@link #of(String, String, List, String, Throwable, List, ClauseCatalog)} for a result
     * known by its message only (no error object): a scenario not run is not run for its status.
     */
    public static ScenarioResult of(String name, String location, List<String> tags, String status,
            String message, List<String> observations, ClauseCatalog catalog) {
        return decide(name, location, tags, status, message, false, observations, catalog);
    }

    private static boolean unimplemented(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof Unimplemented) {
                return true;
            }
        }
        return false;
    }

    private static ScenarioResult decide(String name, String location, List<String> tags, String status,
            String message, boolean unimplemented, List<String> observations, ClauseCatalog catalog) {
        List<String> clauses = new ArrayList<>();
        String level = null;
        for (String tag : tags) {
            String t = tag.startsWith("@") ? tag.substring(1) : tag;
            if (ClauseCatalog.CLAUSE_ID.matcher(t).matches()) {
                clauses.add(t);
            } else if (level == null && LEVELS.contains(t.toLowerCase(Locale.ROOT))) {
                level = t.toLowerCase(Locale.ROOT);
            }
        }
        if (level == null) {
            level = clauses.stream().map(catalog::get).flatMap(java.util.Optional::stream)
                    .map(c -> levelTag(c.level())).findFirst().orElse("must");
        }
        Outcome outcome = switch (status) {
            case "PASSED" -> level.equals("must") || level.equals("should") ? Outcome.OK : Outcome.INFORMATIONAL;
            case "FAILED", "AMBIGUOUS" -> switch (level) {
                case "must" -> Outcome.FAILED;
                case "should" -> Outcome.NON_STRICT;
                default -> Outcome.INFORMATIONAL;
            };
            default -> Outcome.NOT_RUN;
        };
        NotRun notRun = null;
        String why = message;
        if (outcome == Outcome.NOT_RUN) {
            notRun = unimplemented ? NotRun.UNIMPLEMENTED : switch (status) {
                case "UNDEFINED" -> NotRun.UNDEFINED;
                case "PENDING" -> NotRun.PENDING;
                default -> NotRun.SKIPPED;
            };
            if (why == null || why.isBlank()) {
                why = switch (notRun) {
                    case UNDEFINED -> "a step has no definition";
                    case PENDING -> "a step is pending";
                    default -> "skipped";
                };
            }
        }
        return new ScenarioResult(name, location, List.copyOf(tags), List.copyOf(clauses), level, status, outcome,
                notRun, why, List.copyOf(observations));
    }

    /** The scenario level tag for a catalogue level (MUST NOT is must, IMPLEMENTATION-DEPENDENT informational). */
    public static String levelTag(String catalogLevel) {
        String l = catalogLevel.toLowerCase(Locale.ROOT);
        if (l.startsWith("must")) {
            return "must";
        }
        if (l.startsWith("should")) {
            return "should";
        }
        if (l.startsWith("may")) {
            return "may";
        }
        return "informational";
    }

    /** Whether the scenario was not run because the build lacks what it needs. */
    public boolean unimplemented() {
        return notRun == NotRun.UNIMPLEMENTED;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("location", location);
        m.put("clauses", clauses);
        m.put("level", level);
        m.put("status", status);
        m.put("outcome", outcome.label());
        if (notRun != null) {
            m.put("not_run", notRun.label());
        }
        if (message != null) {
            m.put("message", message);
        }
        if (!observations.isEmpty()) {
            m.put("observations", observations);
        }
        m.put("tags", tags);
        return m;
    }

    @SuppressWarnings("unchecked")
    static ScenarioResult fromMap(Map<String, Object> m) {
        return new ScenarioResult((String) m.get("name"), (String) m.get("location"),
                (List<String>) m.getOrDefault("tags", List.of()), (List<String>) m.get("clauses"),
                (String) m.get("level"), (String) m.get("status"), Outcome.of((String) m.get("outcome")),
                m.get("not_run") == null ? null : NotRun.of((String) m.get("not_run")), (String) m.get("message"), (List<String>) m.getOrDefault("observations", List.of()));
    }
}

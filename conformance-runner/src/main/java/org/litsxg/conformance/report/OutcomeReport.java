package org.litsxg.conformance.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.litsxg.conformance.support.ClauseCatalog;

/**
 * The result of one kit run, per scenario and per clause, with the counts that
 * {@link Verdict} judges and summarises.
 *
 * <p>A clause's outcome is the worst outcome of the scenarios tagged with it (FAILED over
 * NON-STRICT over NOT RUN over OK over INFORMATIONAL). A clause {@code clauses.tsv} marks
 * untestable is NOT RUN ({@link NotRun#UNTESTABLE}) with its reason. A testable clause no
 * scenario of this run checked (the run was filtered by tags or features) is listed as not
 * selected and counted nowhere.
 * Operator duties and release obligations (clauses.tsv's {@code binds} column) bind no build:
 * they are listed NOT RUN with their reason but counted apart, never among the build's
 * clauses. Withdrawn clauses are left out.
 *
 * <p>Immutable. Written to {@code outcomes.json} by {@link OutcomePlugin}, and read back from
 * it by whoever has only the file (a test that ran the runner jar as a process).
 */
public final class OutcomeReport {

    /**
     * One clause's outcome.
     *
     * @param notRun                 why the clause was not run, when its outcome is NOT RUN (else null)
     * @param reason                 the cause scenario's message, an untestable clause's reason, or what
     *                               an informational scenario observed; for people, never parsed
     * @param checkedByVerifyUpgrade a release obligation that {@code verify-upgrade} checks between two builds
     */
    public record ClauseResult(String id, String level, String area, String summary, Outcome outcome,
            NotRun notRun, String reason, List<String> scenarios, String binds, boolean checkedByVerifyUpgrade) {

        /** Whether the clause binds the build (counted in the summary and the verdict). */
        public boolean bindsServer() {
            return binds == null || ClauseCatalog.SERVER.equals(binds);
        }

        /** NOT RUN although a build could have been checked against it. */
        public boolean testableNotRun() {
            return outcome == Outcome.NOT_RUN && notRun != null && notRun.testable();
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("level", level);
            m.put("area", area);
            m.put("summary", summary);
            m.put("outcome", outcome.label());
            if (notRun != null) {
                m.put("not_run", notRun.label());
            }
            if (reason != null) {
                m.put("reason", reason);
            }
            m.put("scenarios", scenarios);
            m.put("binds", binds == null ? ClauseCatalog.SERVER : binds);
            if (checkedByVerifyUpgrade) {
                m.put("checked_by_verify_upgrade", true);
            }
            return m;
        }

        @SuppressWarnings("unchecked")
        static ClauseResult fromMap(Map<String, Object> m) {
            return new ClauseResult((String) m.get("id"), (String) m.get("level"), (String) m.get("area"),
                    (String) m.get("summary"), Outcome.of((String) m.get("outcome")),
                    m.get("not_run") == null ? null : NotRun.of((String) m.get("not_run")), (String) m.get("reason"),
                    (List<String>) m.get("scenarios"),
                    m.get("binds") == null ? ClauseCatalog.SERVER : (String) m.get("binds"),
                    Boolean.TRUE.equals(m.get("checked_by_verify_upgrade")));
        }
    }

    private final String subject;
    private final List<ClauseResult> clauses;
    private final List<String> unselected;
    private final List<ScenarioResult> scenarios;

    private OutcomeReport(String subject, List<ClauseResult> clauses, List<String> unselected,
            List<ScenarioResult> scenarios) {
        this.subject = subject;
        this.clauses = List.copyOf(clauses);
        this.unselected = List.copyOf(unselected);
        this.scenarios = List.copyOf(scenarios);
    }

    /** Aggregates scenario results into clause outcomes, in the catalogue's order. */
    public static OutcomeReport of(String subject, List<ScenarioResult> scenarios, ClauseCatalog catalog) {
        Map<String, List<ScenarioResult>> byClause = new LinkedHashMap<>();
        for (ScenarioResult s : scenarios) {
            for (String c : s.clauses()) {
                byClause.computeIfAbsent(c, k -> new ArrayList<>()).add(s);
            }
        }
        List<ClauseResult> out = new ArrayList<>();
        List<String> unselected = new ArrayList<>();
        for (ClauseCatalog.Clause c : catalog.all()) {
            List<ScenarioResult> ss = byClause.remove(c.id());
            if (c.withdrawn() && ss == null) {
                continue;
            }
            if (ss != null) {
                out.add(aggregate(c.id(), c.level(), c.area(), c.summary(), ss));
            } else if (!c.testable()) {
                out.add(new ClauseResult(c.id(), c.level(), c.area(), c.summary(), Outcome.NOT_RUN, NotRun.UNTESTABLE,
                        "untestable: " + c.untestable(), List.of(), c.binds(), c.checkedByVerifyUpgrade()));
            } else {
                unselected.add(c.id());
            }
        }
        if (!unselected.isEmpty()) {
            // A filtered run: untestable clauses are as unselected as the rest; leave them out.
            List<ClauseResult> untestable = out.stream().filter(c -> c.notRun() == NotRun.UNTESTABLE).toList();
            out.removeAll(untestable);
            untestable.forEach(c -> unselected.add(c.id()));
        }
        for (Map.Entry<String, List<ScenarioResult>> e : byClause.entrySet()) {
            String id = e.getKey();
            out.add(aggregate(id, e.getValue().get(0).level().toUpperCase(java.util.Locale.ROOT),
                    id.substring(0, id.indexOf('-')), "(not in " + ClauseCatalog.RESOURCE + ")", e.getValue()));
        }
        return new OutcomeReport(subject, out, unselected, scenarios);
    }

    private static ClauseResult aggregate(String id, String level, String area, String summary,
            List<ScenarioResult> ss) {
        Outcome worst = null;
        ScenarioResult cause = null;
        for (ScenarioResult s : ss) {
            Outcome next = worst == null ? s.outcome() : Outcome.worst(worst, s.outcome());
            if (cause == null || next != worst) {
                cause = s;
            }
            worst = next;
        }
        String reason = worst == Outcome.OK || cause == null ? null : cause.message();
        if (worst == Outcome.INFORMATIONAL && cause != null && !cause.observations().isEmpty()) {
            reason = String.join("; ", cause.observations());
        }
        NotRun notRun = worst == Outcome.NOT_RUN && cause != null ? cause.notRun() : null;
        return new ClauseResult(id, level, area, summary, worst, notRun, reason,
                ss.stream().map(s -> s.location() + " " + s.name() + ": " + s.outcome().label()).toList(),
                ClauseCatalog.SERVER, false);
    }

    public String subject() {
        return subject;
    }

    public List<ClauseResult> clauses() {
        return clauses;
    }

    public List<ScenarioResult> scenarios() {
        return scenarios;
    }

    /** Testable clauses no scenario of this run checked. */
    public List<String> unselected() {
        return unselected;
    }

    public Optional<ClauseResult> clause(String id) {
        return clauses.stream().filter(c -> c.id().equals(id)).findFirst();
    }

    /** The clauses that bind the build, with outcome {@code o}. */
    public long count(Outcome o) {
        return serverClauses().filter(c -> c.outcome() == o).count();
    }

    /** The clauses that bind the build: every clause but operator duties and release obligations. */
    public long serverClauseCount() {
        return serverClauses().count();
    }

    private java.util.stream.Stream<ClauseResult> serverClauses() {
        return clauses.stream().filter(ClauseResult::bindsServer);
    }

    /** Not-run clauses of the build that are marked untestable. */
    public long untestable() {
        return serverClauses().filter(c -> c.notRun() == NotRun.UNTESTABLE).count();
    }

    /** The reported clauses that bind {@code binds} ({@code operator} or {@code release}). */
    public List<ClauseResult> obligations(String binds) {
        return clauses.stream().filter(c -> binds.equals(c.binds())).toList();
    }

    /**
     * What the summary says of the clauses that bind no build, for example
     * {@code 10 operator duties, 7 release obligations (UPG-11, UPG-12, FINAL-9 checked by
     * verify-upgrade)}; empty when the run reported none.
     */
    public String obligationsText() {
        List<ClauseResult> operator = obligations(ClauseCatalog.OPERATOR);
        List<ClauseResult> release = obligations(ClauseCatalog.RELEASE);
        List<String> bits = new ArrayList<>();
        if (!operator.isEmpty()) {
            bits.add(operator.size() + (operator.size() == 1 ? " operator duty" : " operator duties"));
        }
        if (!release.isEmpty()) {
            List<String> checked = release.stream().filter(ClauseResult::checkedByVerifyUpgrade)
                    .map(ClauseResult::id).toList();
            bits.add(release.size() + (release.size() == 1 ? " release obligation" : " release obligations")
                    + (checked.isEmpty() ? "" : " (" + String.join(", ", checked) + " checked by verify-upgrade)"));
        }
        return String.join(", ", bits);
    }

    /** The clause ids with outcome {@code o}, among the clauses that bind the build. */
    public List<String> ids(Outcome o) {
        return serverClauses().filter(c -> c.outcome() == o).map(ClauseResult::id).toList();
    }

    /** The verdict on this report with no baseline, {@code strict} or not (see {@link Verdict}). */
    public Verdict verdict(boolean strict) {
        return Verdict.of(this, new Verdict.Policy(strict, false));
    }

    /** The summary line of {@link #verdict(boolean)}, without a wall time. */
    public String summaryLine(boolean strict) {
        return verdict(strict).summaryLine();
    }

    /** The summary line, then {@link #attention()}. */
    public String text(boolean strict) {
        return summaryLine(strict) + "\n" + attention();
    }

    /** Every clause that is FAILED, NON-STRICT or testable NOT RUN, by area, a line each. */
    public String attention() {
        StringBuilder out = new StringBuilder();
        String area = null;
        for (ClauseResult c : clauses) {
            boolean show = c.outcome() == Outcome.FAILED || c.outcome() == Outcome.NON_STRICT || c.testableNotRun();
            if (!show) {
                continue;
            }
            if (!c.area().equals(area)) {
                area = c.area();
                out.append("  ").append(area).append('\n');
            }
            String reason = c.reason() == null ? "" : c.reason().lines().findFirst().orElse("");
            for (String line : c.reason() == null ? List.<String>of() : c.reason().lines().toList()) {
                if (line.startsWith("Actual:")) {
                    reason = line.substring("Actual:".length()).trim();
                }
            }
            out.append(String.format("    %-11s %-9s %s: %s%n", c.outcome().label(), c.id(), c.summary(),
                    abbreviate(reason, 160)));
        }
        return out.toString();
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    /** The report as JSON, with {@code verdict}'s label and {@code summary} (its summary line). */
    public String toJson(Verdict verdict, String summary) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subject", subject);
        m.put("spec_version", ClauseCatalog.version());
        m.put("verdict", verdict.label());
        m.put("summary", summary);
        Map<String, Object> counts = new LinkedHashMap<>();
        for (Outcome o : Outcome.values()) {
            counts.put(o.label(), count(o));
        }
        counts.put("untestable", untestable());
        counts.put("operator duties", (long) obligations(ClauseCatalog.OPERATOR).size());
        counts.put("release obligations", (long) obligations(ClauseCatalog.RELEASE).size());
        counts.put("not selected", (long) unselected.size());
        m.put("counts", counts);
        m.put("clauses", clauses.stream().map(ClauseResult::toMap).toList());
        m.put("unselected", unselected);
        m.put("scenarios", scenarios.stream().map(ScenarioResult::toMap).toList());
        return Json.write(m);
    }

    /** Writes {@link #toJson} to {@code file}, creating its directory. */
    public void write(Path file, Verdict verdict, String summary) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, toJson(verdict, summary), StandardCharsets.UTF_8);
    }

    /** Writes the report with its {@link #verdict(boolean)} and summary line. */
    public void write(Path file, boolean strict) throws IOException {
        Verdict v = verdict(strict);
        write(file, v, v.summaryLine());
    }

    /** Reads a report written by {@link #write}. */
    @SuppressWarnings("unchecked")
    public static OutcomeReport read(Path file) throws IOException {
        Map<String, Object> m = (Map<String, Object>) Json.read(Files.readString(file, StandardCharsets.UTF_8));
        List<ClauseResult> clauses = ((List<Map<String, Object>>) m.get("clauses")).stream()
                .map(ClauseResult::fromMap).toList();
        List<ScenarioResult> scenarios = ((List<Map<String, Object>>) m.get("scenarios")).stream()
                .map(ScenarioResult::fromMap).toList();
        return new OutcomeReport((String) m.get("subject"), clauses, (List<String>) m.get("unselected"), scenarios);
    }
}

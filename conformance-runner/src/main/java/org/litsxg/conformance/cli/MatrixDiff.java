package org.litsxg.conformance.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.litsxg.conformance.report.Outcome;
import org.litsxg.conformance.report.ScenarioResult;
import org.litsxg.conformance.upgrade.BehaviourDiff;

/**
 * The behaviour of each build next to the reference's, scenario by scenario, from the
 * behaviour diff verify-upgrade computes ({@link BehaviourDiff}: normalised wire transcripts).
 * Only scenarios that pass on both builds are compared: where one fails, the matrix already
 * shows it. For those, "same", or the normalised lines that only one of the two builds has.
 */
public final class MatrixDiff {

    /** How a scenario of one build compares with the reference. */
    public enum Status {
        SAME("same"),
        DIFFERS("differs"),
        /** Not passed on both builds (or run on one only): nothing to compare. */
        NOT_COMPARED("not compared");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One scenario of one build against the reference: the status, the differing lines
     * ({@code - } the reference only, {@code + } this build only), or why it was not compared.
     */
    public record Cell(Status status, List<String> lines, String why) {
    }

    /** One scenario: where, its name and clauses, and a cell per compared build (by name). */
    public record Row(String location, String name, List<String> clauses, Map<String, Cell> cells) {
    }

    /** Most differing lines shown per cell. */
    static final int MAX_LINES = 200;

    private final String reference;
    private final List<Row> rows;

    private MatrixDiff(String reference, List<Row> rows) {
        this.reference = reference;
        this.rows = List.copyOf(rows);
    }

    /** Compares every build that ran with {@code reference} (which must have run, or nothing is compared). */
    static MatrixDiff of(MatrixCommand.Column reference, List<MatrixCommand.Column> others) {
        Map<String, Row> rows = new LinkedHashMap<>();
        if (reference.run() == null) {
            return new MatrixDiff(reference.name(), List.of());
        }
        reference.run().report().scenarios().forEach(s -> rows.put(s.location(),
                new Row(s.location(), s.name(), s.clauses(), new LinkedHashMap<>())));
        for (MatrixCommand.Column c : others) {
            if (c.run() == null) {
                continue;
            }
            BehaviourDiff.Result diff = BehaviourDiff.compare(reference.run(), c.run());
            Map<String, ScenarioResult> before = byLocation(reference.run().report().scenarios());
            Map<String, ScenarioResult> after = byLocation(c.run().report().scenarios());
            for (BehaviourDiff.Scenario s : diff.scenarios()) {
                Row row = rows.computeIfAbsent(s.location(),
                        k -> new Row(s.location(), s.name(), s.clauses(), new LinkedHashMap<>()));
                row.cells().put(c.name(), cell(s, before.get(s.location()), after.get(s.location()), reference.name()));
            }
        }
        List<Row> out = new ArrayList<>();
        rows.values().forEach(r -> out.add(new Row(r.location(), r.name(), r.clauses(), Map.copyOf(r.cells()))));
        return new MatrixDiff(reference.name(), out);
    }

    private static Cell cell(BehaviourDiff.Scenario s, ScenarioResult a, ScenarioResult b, String reference) {
        if (a == null || b == null) {
            return new Cell(Status.NOT_COMPARED, List.of(), "run on one build only");
        }
        if (!passed(a) || !passed(b)) {
            return new Cell(Status.NOT_COMPARED, List.of(), reference + " " + label(a) + ", this build " + label(b));
        }
        List<String> d = lines(s.fromLines(), s.toLines());
        return d.isEmpty() ? new Cell(Status.SAME, List.of(), "") : new Cell(Status.DIFFERS, d, "");
    }

    /** Passed: Cucumber passed it (an INFORMATIONAL outcome alone may hide a failed MAY scenario). */
    private static boolean passed(ScenarioResult r) {
        return r.status().equals("PASSED") && (r.outcome() == Outcome.OK || r.outcome() == Outcome.INFORMATIONAL);
    }

    private static String label(ScenarioResult r) {
        return r.outcome().label() + (r.status().equals("PASSED") || r.outcome() == Outcome.FAILED ? "" : " (" + r.status() + ")");
    }

    private static Map<String, ScenarioResult> byLocation(List<ScenarioResult> rs) {
        Map<String, ScenarioResult> m = new LinkedHashMap<>();
        rs.forEach(r -> m.put(r.location(), r));
        return m;
    }

    /**
     * The lines of {@code a} and {@code b} outside their longest common subsequence, in order:
     * {@code "- "} for a line only {@code a} has, {@code "+ "} for one only {@code b} has; at most
     * {@link #MAX_LINES}, then a line saying how many more.
     */
    static List<String> lines(List<String> a, List<String> b) {
        int n = a.size();
        int m = b.size();
        List<String> out = new ArrayList<>();
        if ((long) n * m > 4_000_000L) {
            // Too big for the table: everything after the common head and before the common tail.
            int head = 0;
            while (head < n && head < m && a.get(head).equals(b.get(head))) {
                head++;
            }
            int tail = 0;
            while (tail < n - head && tail < m - head && a.get(n - 1 - tail).equals(b.get(m - 1 - tail))) {
                tail++;
            }
            a.subList(head, n - tail).forEach(l -> out.add("- " + l));
            b.subList(head, m - tail).forEach(l -> out.add("+ " + l));
            return cap(out);
        }
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a.get(i).equals(b.get(j))) {
                i++;
                j++;
            } else if (j >= m || i < n && lcs[i + 1][j] >= lcs[i][j + 1]) {
                out.add("- " + a.get(i++));
            } else {
                out.add("+ " + b.get(j++));
            }
        }
        return cap(out);
    }

    /**
     * Runs of three or more lines that differ only in their numbers (a bystander's numbered
     * probes, repeated PINGs: how many fit in a scenario is timing) shown as the first, a count,
     * and the last; then at most {@link #MAX_LINES}.
     */
    private static List<String> cap(List<String> all) {
        List<String> lines = new ArrayList<>();
        int i = 0;
        while (i < all.size()) {
            String shape = all.get(i).replaceAll("[0-9]+", "#");
            int j = i + 1;
            while (j < all.size() && all.get(j).replaceAll("[0-9]+", "#").equals(shape)) {
                j++;
            }
            if (j - i >= 3) {
                lines.add(all.get(i));
                lines.add("  ... " + (j - i - 2) + " more lines like it ...");
                lines.add(all.get(j - 1));
            } else {
                lines.addAll(all.subList(i, j));
            }
            i = j;
        }
        if (lines.size() <= MAX_LINES) {
            return lines;
        }
        List<String> out = new ArrayList<>(lines.subList(0, MAX_LINES));
        out.add("... " + (lines.size() - MAX_LINES) + " more differing lines");
        return out;
    }

    /** The build every other is compared with. */
    public String reference() {
        return reference;
    }

    public List<Row> rows() {
        return rows;
    }

    /** {@code 12 scenarios the same, 1 differs, 3 not compared} for one build. */
    String countsLine(String build) {
        long same = 0;
        long differs = 0;
        long not = 0;
        for (Row r : rows) {
            Cell c = r.cells().get(build);
            if (c == null || c.status() == Status.NOT_COMPARED) {
                not++;
            } else if (c.status() == Status.SAME) {
                same++;
            } else {
                differs++;
            }
        }
        return same + " scenarios the same, " + differs + " differ, " + not + " not compared (not passed on both)";
    }
}

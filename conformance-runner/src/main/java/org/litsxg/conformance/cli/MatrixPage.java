package org.litsxg.conformance.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.litsxg.conformance.report.Html;
import org.litsxg.conformance.report.Json;
import org.litsxg.conformance.report.Outcome;
import org.litsxg.conformance.report.OutcomeReport;
import org.litsxg.conformance.support.ClauseCatalog;

/**
 * The matrix page and its JSON twin. Self-contained HTML (no script, no external file beyond
 * the per-build reports it links to): the summary first; the builds with their verdicts and
 * identities; the clause × build matrix, each cell an outcome linking to the clause in that
 * build's own report (its wire transcripts and server output); then the behaviour diff against
 * the reference, scenario × build.
 */
final class MatrixPage {
    static final String HTML = "matrix.html";
    static final String JSON = "matrix.json";

    private MatrixPage() {
    }

    /** One row of the matrix: a clause and its outcome in each column that ran. */
    private record ClauseRow(String id, String level, String area, String summary,
            Map<String, OutcomeReport.ClauseResult> cells) {
    }

    static void write(Path dir, String summary, String specVersion, String selection, List<MatrixCommand.Column> columns,
            MatrixDiff diff) throws IOException {
        List<ClauseRow> rows = rows(columns);
        Files.writeString(dir.resolve(HTML), html(summary, specVersion, selection, columns, rows, diff), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(JSON), json(summary, specVersion, selection, columns, rows, diff), StandardCharsets.UTF_8);
    }

    /** Every clause some build reported on, in the catalogue's order, then any others. */
    private static List<ClauseRow> rows(List<MatrixCommand.Column> columns) {
        Set<String> ids = new LinkedHashSet<>();
        ClauseCatalog catalog = ClauseCatalog.bundled();
        catalog.all().forEach(c -> ids.add(c.id()));
        for (MatrixCommand.Column c : columns) {
            if (c.report() != null) {
                c.report().clauses().forEach(x -> ids.add(x.id()));
            }
        }
        List<ClauseRow> out = new ArrayList<>();
        for (String id : ids) {
            Map<String, OutcomeReport.ClauseResult> cells = new LinkedHashMap<>();
            OutcomeReport.ClauseResult any = null;
            for (MatrixCommand.Column c : columns) {
                Optional<OutcomeReport.ClauseResult> r = c.report() == null ? Optional.empty() : c.report().clause(id);
                if (r.isPresent()) {
                    cells.put(c.name(), r.get());
                    any = r.get();
                }
            }
            if (any != null) {
                out.add(new ClauseRow(id, any.level(), any.area(), any.summary(), cells));
            }
        }
        return out;
    }

    private static String html(String summary, String specVersion, String selection, List<MatrixCommand.Column> columns,
            List<ClauseRow> rows, MatrixDiff diff) {
        boolean pass = columns.stream().allMatch(c -> c.notRun() == null && c.conformant());
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append(Html.head("Litsxg conformance matrix: " + summary, "td,th{border-top:1px solid #ddd}" + Html.OUTCOME_CSS
                + ".d-same{background:#eef7ee}.d-differs{background:#fbeec2}.d-not-compared{background:#f2f2f2;color:#666}"
                + "td.cell a{color:inherit}pre{margin:0}"));
        h.append("<h1>Litsxg conformance matrix</h1>\n");
        h.append(Html.verdict(pass, summary));
        h.append("<p>Spec version <b id=\"spec-version\">").append(esc(specVersion)).append("</b>; scenarios: ")
                .append(esc(selection == null ? "all" : selection)).append("; kit ").append(esc(BuildIdentity.currentKitVersion()))
                .append(".</p>\n");

        h.append("<h2>Builds</h2>\n<table id=\"builds\"><tr><th>build</th><th>verdict</th><th>command and sha256</th><th>evidence</th></tr>\n");
        for (MatrixCommand.Column c : columns) {
            String cls = c.notRun() != null ? "o-NOT-RUN" : c.conformant() ? "o-OK" : "o-FAILED";
            h.append("<tr class=\"build\" id=\"build-").append(esc(c.name())).append("\" data-verdict=\"").append(esc(c.verdict()))
                    .append("\"><th>").append(esc(c.name())).append("</th><td class=\"").append(cls).append("\"><b>")
                    .append(esc(c.verdict())).append("</b><br>")
                    .append(esc(c.notRun() != null ? c.notRun() : c.summary())).append("</td><td><code>")
                    .append(esc(c.identity().template())).append("</code>");
            if (c.identity().sha256().isEmpty()) {
                h.append("<br>(no file named by the command)");
            }
            c.identity().sha256().forEach((f, d) -> h.append("<br><code>").append(esc(d)).append("</code> ").append(esc(f)));
            h.append("</td><td>");
            if (c.notRun() == null) {
                h.append("<a href=\"").append(esc(c.dir())).append("/report.html\">report</a>, <a href=\"").append(esc(c.dir()))
                        .append("/outcomes.json\">outcomes.json</a>, <a href=\"").append(esc(c.dir()))
                        .append("/transcripts.json\">transcripts.json</a>");
            } else {
                h.append("<a href=\"").append(esc(c.dir())).append("/not-run.txt\">not-run.txt</a>");
            }
            h.append("</td></tr>\n");
        }
        h.append("</table>\n");

        h.append("<h2>Clauses</h2>\n<p>Each cell is the clause's outcome on that build; it links to the clause in the build's own report, ")
                .append("with the requirement, the reason, and each scenario's wire transcripts and server output.</p>\n")
                .append("<table id=\"matrix\"><tr><th>clause</th><th>level</th>");
        columns.forEach(c -> h.append("<th class=\"build\">").append(esc(c.name())).append("</th>"));
        h.append("<th>requirement</th></tr>\n");
        String area = null;
        for (ClauseRow r : rows) {
            if (!r.area().equals(area)) {
                area = r.area();
                h.append("<tr><th colspan=\"").append(columns.size() + 3).append("\">").append(esc(area)).append("</th></tr>\n");
            }
            h.append("<tr class=\"clause\" id=\"").append(esc(r.id())).append("\"><td><b>").append(esc(r.id()))
                    .append("</b></td><td>").append(esc(r.level())).append("</td>");
            for (MatrixCommand.Column c : columns) {
                OutcomeReport.ClauseResult x = r.cells().get(c.name());
                String outcome;
                String title;
                String href = null;
                if (c.notRun() != null) {
                    outcome = Outcome.NOT_RUN.label();
                    title = c.notRun();
                } else if (x == null) {
                    outcome = "";
                    title = "not selected on this build";
                } else {
                    outcome = x.outcome().label();
                    title = r.id() + " " + outcome + " on " + c.name() + ": "
                            + (x.reason() == null ? x.summary() : firstLine(x.reason()));
                    href = c.dir() + "/report.html#" + r.id();
                }
                h.append("<td class=\"cell").append(outcome.isEmpty() ? "" : " o-" + cls(outcome)).append("\" data-build=\"")
                        .append(esc(c.name())).append("\" data-clause=\"").append(esc(r.id())).append("\" data-outcome=\"")
                        .append(esc(outcome)).append("\" title=\"").append(esc(title)).append("\">");
                if (href != null) {
                    h.append("<a href=\"").append(esc(href)).append("\">").append(esc(outcome)).append("</a>");
                } else {
                    h.append(esc(outcome));
                }
                h.append("</td>");
            }
            h.append("<td>").append(esc(r.summary())).append("</td></tr>\n");
        }
        h.append("</table>\n");

        List<MatrixCommand.Column> compared = columns.stream().filter(c -> !c.name().equals(diff.reference())).toList();
        h.append("<h2>Behaviour next to ").append(esc(diff.reference())).append("</h2>\n<p>For each scenario that passes on a build and on ")
                .append(esc(diff.reference())).append(", the two builds' wire transcripts after the normalisation of verify-upgrade ")
                .append("(times, ports, paths and interleaving dropped): <b>same</b>, or the lines that differ ")
                .append("(<code>-</code> ").append(esc(diff.reference())).append(" only, <code>+</code> the build only). ")
                .append("Conformant builds may differ here, for example in free text after a reply word (WIRE-11).</p>\n");
        MatrixCommand.Column reference = columns.get(0);
        if (reference.notRun() != null) {
            h.append("<p id=\"no-reference\">").append(esc(reference.name())).append(" did not run (")
                    .append(esc(reference.notRun())).append("): nothing to compare with.</p>\n");
        }
        for (MatrixCommand.Column c : compared) {
            if (c.notRun() == null) {
                h.append("<p class=\"counts\" data-build=\"").append(esc(c.name())).append("\"><b>").append(esc(c.name()))
                        .append("</b>: ").append(esc(diff.countsLine(c.name()))).append("</p>\n");
            }
        }
        h.append("<table id=\"diff\"><tr><th>scenario</th><th>clauses</th>");
        compared.forEach(c -> h.append("<th class=\"build\">").append(esc(c.name())).append("</th>"));
        h.append("</tr>\n");
        for (MatrixDiff.Row r : diff.rows()) {
            h.append("<tr class=\"scenario\" data-location=\"").append(esc(r.location())).append("\"><td>")
                    .append(esc(r.location())).append(' ').append(esc(r.name())).append("</td><td>")
                    .append(esc(String.join(" ", r.clauses()))).append("</td>");
            for (MatrixCommand.Column c : compared) {
                MatrixDiff.Cell cell = r.cells().get(c.name());
                if (cell == null) {
                    h.append("<td class=\"d-not-compared\" data-build=\"").append(esc(c.name())).append("\">")
                            .append(c.notRun() != null ? "NOT RUN" : "not run on this build").append("</td>");
                    continue;
                }
                String status = cell.status().label();
                h.append("<td class=\"d-").append(status.replace(' ', '-')).append("\" data-build=\"").append(esc(c.name()))
                        .append("\" data-diff=\"").append(status).append("\">");
                switch (cell.status()) {
                    case SAME -> h.append("same");
                    case NOT_COMPARED -> h.append("not compared: ").append(esc(cell.why()));
                    case DIFFERS -> h.append("<details open><summary>").append(cell.lines().size())
                            .append(" lines differ</summary><pre class=\"lines\">").append(esc(String.join("\n", cell.lines())))
                            .append("</pre></details>");
                }
                h.append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n</body></html>\n");
        return h.toString();
    }

    private static String json(String summary, String specVersion, String selection, List<MatrixCommand.Column> columns,
            List<ClauseRow> rows, MatrixDiff diff) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("summary", summary);
        m.put("spec_version", specVersion);
        m.put("selection", selection);
        m.put("kit_version", BuildIdentity.currentKitVersion());
        m.put("reference", diff.reference());
        List<Object> builds = new ArrayList<>();
        for (MatrixCommand.Column c : columns) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("name", c.name());
            b.put("verdict", c.verdict());
            b.put("summary", c.summary());
            b.put("not_run", c.notRun());
            b.put("identity", c.identity().toMap());
            b.put("report", c.notRun() == null ? c.dir() + "/report.html" : c.dir() + "/not-run.txt");
            builds.add(b);
        }
        m.put("builds", builds);
        List<Object> clauses = new ArrayList<>();
        for (ClauseRow r : rows) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("id", r.id());
            x.put("level", r.level());
            x.put("area", r.area());
            x.put("summary", r.summary());
            Map<String, Object> cells = new LinkedHashMap<>();
            for (MatrixCommand.Column c : columns) {
                OutcomeReport.ClauseResult cr = r.cells().get(c.name());
                Map<String, Object> cell = new LinkedHashMap<>();
                if (c.notRun() != null) {
                    cell.put("outcome", Outcome.NOT_RUN.label());
                    cell.put("reason", c.notRun());
                } else if (cr == null) {
                    cell.put("outcome", null);
                    cell.put("reason", "not selected on this build");
                } else {
                    cell.put("outcome", cr.outcome().label());
                    cell.put("reason", cr.reason());
                    cell.put("evidence", c.dir() + "/report.html#" + r.id());
                }
                cells.put(c.name(), cell);
            }
            x.put("builds", cells);
            clauses.add(x);
        }
        m.put("clauses", clauses);
        List<Object> scenarios = new ArrayList<>();
        for (MatrixDiff.Row r : diff.rows()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("location", r.location());
            x.put("name", r.name());
            x.put("clauses", r.clauses());
            Map<String, Object> cells = new LinkedHashMap<>();
            for (MatrixCommand.Column c : columns) {
                MatrixDiff.Cell cell = r.cells().get(c.name());
                if (cell != null) {
                    Map<String, Object> y = new LinkedHashMap<>();
                    y.put("status", cell.status().label());
                    if (!cell.lines().isEmpty()) {
                        y.put("lines", cell.lines());
                    }
                    if (!cell.why().isEmpty()) {
                        y.put("why", cell.why());
                    }
                    cells.put(c.name(), y);
                }
            }
            x.put("builds", cells);
            scenarios.add(x);
        }
        m.put("behaviour_diff", scenarios);
        return Json.write(m);
    }

    /** The reason's "Actual:" line when it has one (what the build did), else its first line. */
    private static String firstLine(String s) {
        String l = s.strip().lines().filter(x -> x.startsWith("Actual:")).findFirst()
                .orElse(s.strip().lines().findFirst().orElse(""));
        return l.length() > 300 ? l.substring(0, 297) + "..." : l;
    }

    private static String cls(String label) {
        return label.replace(' ', '-').toUpperCase(Locale.ROOT);
    }

    private static String esc(String s) {
        return Html.esc(s);
    }
}

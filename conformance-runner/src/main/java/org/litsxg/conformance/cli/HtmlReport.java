package org.litsxg.conformance.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.litsxg.conformance.report.Html;
import org.litsxg.conformance.report.KitRun;
import org.litsxg.conformance.report.Outcome;
import org.litsxg.conformance.report.OutcomeReport;
import org.litsxg.conformance.report.ScenarioResult;
import org.litsxg.conformance.report.Verdict;

/**
 * A self-contained HTML report (no script, no external file): the verdict and the build's
 * identity first, then the clause × outcome matrix by area, each row opening (a native
 * {@code <details>}) onto the requirement, the reason (expected and actual), and each of its
 * scenarios with the wire transcript and server output attached to it.
 */
public final class HtmlReport {
    private HtmlReport() {
    }

    /**
     * Writes the report of a run: {@code verdict} (with {@code summary}, its line) first, then the
     * matrix; {@code attachments} gives each scenario's evidence by location.
     */
    public static void write(Path file, OutcomeReport report, Verdict verdict, String summary, BuildIdentity identity,
            Function<String, List<KitRun.Attachment>> attachments) throws IOException {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append(Html.head("Litsxg conformance: " + summary, ".warn{background:#fbeec2}"
                + "tr.clause>td{border-top:1px solid #ddd}" + Html.OUTCOME_CSS
                + ".matrix td.cell{width:1.6em;text-align:center}"));
        h.append("<h1>Litsxg conformance report</h1>\n");
        h.append(Html.verdict(verdict.conformant(), summary));
        h.append("<h2>Build</h2><table id=\"identity\">")
                .append(row("command", "<code>" + esc(identity.template()) + "</code>"))
                .append(row("time", esc(identity.time())))
                .append(row("kit version", esc(identity.kitVersion())))
                .append(row("spec", "spec " + esc(identity.specVersion()) + " (<code>spec/litsxg.md</code>)"));
        for (Map.Entry<String, String> e : identity.sha256().entrySet()) {
            h.append(row("sha256", "<code>" + esc(e.getValue()) + "</code> " + esc(e.getKey())));
        }
        h.append("</table>\n");
        if (!(verdict.expectedFailures().isEmpty() && verdict.stale().isEmpty())) {
            h.append("<p>Baseline: expected failures ").append(esc(String.join(", ", verdict.expectedFailures())))
                    .append("; stale entries ").append(esc(String.join(", ", verdict.stale()))).append("</p>\n");
        }

        List<OutcomeReport.ClauseResult> failing = report.clauses().stream()
                .filter(c -> c.outcome() == Outcome.FAILED || c.outcome() == Outcome.NON_STRICT).toList();
        if (!failing.isEmpty()) {
            h.append("<h2>Failures</h2>\n<ul id=\"failures\">");
            for (OutcomeReport.ClauseResult c : failing) {
                h.append("<li><a href=\"#").append(esc(c.id())).append("\"><b>").append(esc(c.id())).append("</b></a> ")
                        .append(esc(c.outcome().label())).append(": ").append(esc(c.summary()))
                        .append(c.reason() == null ? "" : "<pre>" + esc(c.reason()) + "</pre>").append("</li>");
            }
            h.append("</ul>\n");
        }
        h.append("<h2>Outcomes</h2>\n<table class=\"matrix\" id=\"matrix\"><tr><th>clause</th><th>level</th>");
        for (Outcome o : Outcome.values()) {
            h.append("<th>").append(esc(o.label())).append("</th>");
        }
        h.append("<th>requirement and evidence</th></tr>\n");
        String area = null;
        for (OutcomeReport.ClauseResult c : report.clauses()) {
            if (!c.area().equals(area)) {
                area = c.area();
                h.append("<tr><th colspan=\"").append(Outcome.values().length + 3).append("\">")
                        .append(esc(area)).append("</th></tr>\n");
            }
            h.append("<tr class=\"clause\" id=\"").append(esc(c.id())).append("\" data-outcome=\"")
                    .append(esc(c.outcome().label())).append("\"><td><b>").append(esc(c.id())).append("</b></td><td>")
                    .append(esc(c.level() + (c.bindsServer() ? "" : " [" + c.binds() + "]"))).append("</td>");
            for (Outcome o : Outcome.values()) {
                boolean hit = o == c.outcome();
                h.append("<td class=\"cell").append(hit ? " " + Html.outcomeClass(o) : "").append("\">").append(hit ? "&#9679;" : "")
                        .append("</td>");
            }
            h.append("<td><details").append(c.outcome() == Outcome.FAILED ? " class=\"failure\" open" : "").append("><summary>")
                    .append(esc(c.summary())).append("</summary>");
            if (c.reason() != null) {
                h.append("<pre class=\"reason\">").append(esc(c.reason())).append("</pre>");
            }
            for (ScenarioResult r : report.scenarios()) {
                if (!r.clauses().contains(c.id())) {
                    continue;
                }
                String location = r.location();
                h.append("<details class=\"scenario\"><summary>")
                        .append(esc(location + " " + r.name() + ": " + r.outcome().label())).append("</summary>");
                if (r.message() != null) {
                    h.append("<pre>").append(esc(r.message())).append("</pre>");
                }
                if (r.observations() != null) {
                    for (String obs : r.observations()) {
                        h.append("<p>observation: ").append(esc(obs)).append("</p>");
                    }
                }
                for (KitRun.Attachment a : attachments.apply(location)) {
                    h.append("<details class=\"evidence\"><summary>").append(esc(a.name())).append("</summary><pre>")
                            .append(esc(a.text())).append("</pre></details>");
                }
                h.append("</details>");
            }
            h.append("</details></td></tr>\n");
        }
        h.append("</table>\n</body></html>\n");
        Files.writeString(file, h, StandardCharsets.UTF_8);
    }

    private static String row(String k, String v) {
        return "<tr><th>" + esc(k) + "</th><td>" + v + "</td></tr>";
    }

    static String esc(String s) {
        return Html.esc(s);
    }
}

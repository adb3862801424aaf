package org.litsxg.conformance.explore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.litsxg.conformance.report.Json;

/** {@code explore.json} and {@code explore.html}: the run's figures and, on a divergence, the finding. */
final class ExploreReport {

    private ExploreReport() {
    }

    static void write(Path dir, Map<String, Object> summary, Divergence d, String gherkin, Explorer.Outcome shrunk)
            throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> json = new LinkedHashMap<>(summary);
        if (d != null) {
            Map<String, Object> div = new LinkedHashMap<>();
            div.put("clauses", d.clauses());
            div.put("where", d.where());
            div.put("expected", d.expected());
            div.put("actual", d.actual());
            json.put("divergence", div);
            json.put("gherkin", gherkin);
            if (shrunk != null) {
                List<String> actions = new ArrayList<>();
                for (int i = 0; i <= shrunk.failedAt(); i++) {
                    actions.add(shrunk.actions().get(i).toString());
                }
                json.put("shrunk_actions", actions);
                json.put("transcript", shrunk.log());
            }
        }
        Files.writeString(dir.resolve("explore.json"), Json.write(json));
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>litsxg conformance explore</title>")
                .append("<style>body{font-family:sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em;overflow-x:auto}")
                .append("td{padding:2px 8px;vertical-align:top}.bad{color:#b00}</style></head><body>");
        h.append("<h1>litsxg conformance explore</h1><table>");
        for (Map.Entry<String, Object> e : summary.entrySet()) {
            h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(esc(String.valueOf(e.getValue())))
                    .append("</td></tr>");
        }
        h.append("</table>");
        if (d == null) {
            h.append("<p id=\"verdict\">No divergence.</p>");
        } else {
            h.append("<h2 class=\"bad\" id=\"verdict\">Divergence: ").append(esc(String.join(", ", d.clauses()))).append("</h2>");
            h.append("<p>at <b>").append(esc(d.where())).append("</b><br>expected: ").append(esc(d.expected()))
                    .append("<br>actual: ").append(esc(d.actual())).append("</p>");
            h.append("<h2>Scenario (paste into a feature)</h2><pre id=\"gherkin\">").append(esc(gherkin)).append("</pre>");
            if (shrunk != null) {
                h.append("<h2>Transcript of the shrunk run</h2><pre id=\"transcript\">")
                        .append(esc(String.join("\n", shrunk.log()))).append("</pre>");
                h.append("<h2>Server output</h2><pre>").append(esc(shrunk.serverOutput())).append("</pre>");
            }
        }
        h.append("</body></html>\n");
        Files.writeString(dir.resolve("explore.html"), h.toString());
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

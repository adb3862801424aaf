package org.litsxg.conformance.upgrade;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.litsxg.conformance.report.Html;

/**
 * The verify-upgrade report page: self-contained HTML (no script, no external file). The
 * verdict and its reasons first, the two builds' identities side by side, the checks of the
 * upgrade in place and the rollback, then every scenario of the behaviour diff with its kind;
 * each changed scenario opens onto both normalised transcripts.
 */
public final class UpgradeHtml {

    /** One build's identity, as {@code BuildIdentity.toMap()} gives it. */
    public record Side(String role, Map<String, Object> identity, SuiteRun run) {
    }

    private UpgradeHtml() {
    }

    public static void write(Path file, String summary, PolicyVerdict verdict, Side from, Side to,
            UpgradeInPlace.Result upgrade, BehaviourDiff.Result diff) throws IOException {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append(Html.head("Litsxg verify-upgrade: " + summary, "td,th{border-top:1px solid #ddd}"
                + ".k-unchanged{background:#eef7ee}.k-fixed{background:#d9f2d9}.k-regressed{background:#f4a6a6}"
                + ".k-drift{background:#fbe0a0}.k-extension{background:#f4a6a6}.k-unmatched{background:#e4e4e4}.k-unstable{background:#fbe0a0}"
                + "pre{margin:0}"));
        h.append("<h1>Litsxg verify-upgrade</h1>\n");
        h.append(Html.verdict(verdict.permitted(), summary));
        if (!verdict.reasons().isEmpty()) {
            h.append("<h2>Reasons</h2><ul id=\"reasons\">");
            verdict.reasons().forEach(r -> h.append("<li>").append(esc(r)).append("</li>"));
            h.append("</ul>\n");
        }
        h.append("<h2>Builds</h2><table id=\"identities\"><tr><th></th><th>from (old)</th><th>to (candidate)</th></tr>");
        h.append(row("command", code(from.identity().get("command")), code(to.identity().get("command"))));
        h.append(row("sha256", digests(from.identity().get("sha256")), digests(to.identity().get("sha256"))));
        h.append(row("suite run", esc(runLine(from.run())), esc(runLine(to.run()))));
        h.append(row("outcomes", link(from.role()), link(to.role())));
        h.append("</table>\n");

        h.append("<h2>Upgrade in place</h2><p>").append(upgrade.identities()).append(" identities registered and ")
                .append(upgrade.queued()).append(" messages queued on the old build, which was then stopped; ")
                .append("the candidate started on the same data directory.</p><table id=\"checks\">");
        for (UpgradeInPlace.Check c : upgrade.checks()) {
            h.append("<tr class=\"").append(c.passed() ? "k-fixed" : "k-regressed").append("\"><td>")
                    .append(c.passed() ? "ok" : "FAILED").append("</td><td>").append(esc(c.what())).append("</td><td>")
                    .append(c.passed() ? "" : esc(c.reason().label() + ": " + c.detail())).append("</td></tr>");
        }
        h.append("</table>\n<p id=\"rollback\">Rollback (reported, not judged): ").append(esc(upgrade.rollback()))
                .append("</p>\n");
        h.append("<details><summary>Data directory and identity store before and after</summary><table><tr><th>before</th><th>after</th></tr>")
                .append("<tr><td><pre>").append(esc(String.join("\n", upgrade.filesBefore()))).append("</pre></td><td><pre>")
                .append(esc(String.join("\n", upgrade.filesAfter()))).append("</pre></td></tr>")
                .append("<tr><td><pre>").append(esc(upgrade.storeBefore())).append("</pre></td><td><pre>")
                .append(esc(upgrade.storeAfter())).append("</pre></td></tr></table></details>\n");

        h.append("<h2>Behaviour diff</h2><p>");
        for (BehaviourDiff.Kind k : BehaviourDiff.Kind.values()) {
            h.append(k.label()).append(": ").append(diff.count(k)).append(". ");
        }
        h.append("Transcripts are compared after normalisation (times, ports, paths, interleaving).</p>\n");
        h.append("<table id=\"diff\"><tr><th>kind</th><th>clauses</th><th>scenario</th><th>old</th><th>new</th><th>what changed</th></tr>");
        for (BehaviourDiff.Scenario s : diff.scenarios()) {
            h.append("<tr class=\"k-").append(s.kind().label()).append("\"><td>").append(s.kind().label())
                    .append("</td><td>").append(esc(String.join(" ", s.clauses()))).append("</td><td>")
                    .append(esc(s.location())).append(' ').append(esc(s.name())).append("</td><td>")
                    .append(s.from() == null ? "" : s.from().label()).append("</td><td>")
                    .append(s.to() == null ? "" : s.to().label()).append("</td><td>");
            if (s.kind() != BehaviourDiff.Kind.UNCHANGED) {
                h.append(esc(s.detail())).append("<details><summary>normalised transcripts</summary><table><tr><th>old</th><th>new</th></tr><tr><td><pre>")
                        .append(esc(String.join("\n", s.fromLines()))).append("</pre></td><td><pre>")
                        .append(esc(String.join("\n", s.toLines()))).append("</pre></td></tr></table></details>");
            }
            h.append("</td></tr>\n");
        }
        h.append("</table>\n</body></html>\n");
        Files.writeString(file, h, StandardCharsets.UTF_8);
    }

    private static String runLine(SuiteRun r) {
        return r.report().scenarios().size() + " scenarios in " + String.format(java.util.Locale.ROOT, "%.1f s", r.seconds())
                + (r.reused() ? " (reused from an earlier run in this JVM)" : "");
    }

    private static String link(String role) {
        return "<a href=\"" + role + "/outcomes.json\">" + role + "/outcomes.json</a>, <a href=\"" + role
                + "/transcripts.json\">" + role + "/transcripts.json</a>";
    }

    private static String code(Object o) {
        return "<code>" + esc(String.valueOf(o)) + "</code>";
    }

    @SuppressWarnings("unchecked")
    private static String digests(Object o) {
        StringBuilder s = new StringBuilder();
        if (o instanceof Map<?, ?> m) {
            ((Map<String, String>) m).forEach((f, d) -> s.append("<code>").append(esc(d)).append("</code> ")
                    .append(esc(f)).append("<br>"));
        }
        return s.length() == 0 ? "(no file named by the command)" : s.toString();
    }

    private static String row(String label, String a, String b) {
        return "<tr><th>" + esc(label) + "</th><td>" + a + "</td><td>" + b + "</td></tr>";
    }

    private static String esc(String s) {
        return Html.esc(s);
    }
}

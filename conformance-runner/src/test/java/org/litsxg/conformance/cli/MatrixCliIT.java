package org.litsxg.conformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.litsxg.conformance.DefectiveBuildsTest;
import org.litsxg.conformance.report.Json;

/**
 * {@code litsxg conformance matrix} as an implementer runs it: the runner jar as a real process,
 * the reference and the kit's Python build (correct, with a planted defect, with a conformant
 * free-text variant) side by side, the page read back from its JSON and rendered in headless
 * Chromium. A few clauses only: each run costs seconds, not the whole suite.
 */
class MatrixCliIT {

    @TempDir
    Path tmp;

    /** The Python build with its conformant free-text variant switched on (WIRE-11: free text after the reply word). */
    private static String freeTextVariant() {
        return "env LITSXG_VARIANT=free-text " + DefectiveBuildsTest.template(null);
    }

    @Test
    void putsThePythonBuildBesideTheReferenceAndShowsWhereConformantBuildsDiffer() throws Exception {
        Path report = tmp.resolve("matrix");
        RunnerJar.Run r = RunnerJar.run(tmp, "matrix", "--build", "python=" + DefectiveBuildsTest.template(null),
                "--build", "free-text=" + freeTextVariant(), "--clause", "CMD-13,AUTH-3", "--report", report.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        for (String build : List.of("reference", "python", "free-text")) {
            assertTrue(r.out().lines().anyMatch(l -> l.matches("\\[" + build + "\\]\\s+\\d+ OK\\s+CMD-13\\s.*")),
                    "one progress line per scenario, naming the build " + build + ":\n" + r.out());
        }
        assertTrue(r.out().contains("every build conformant: 3 of 3 builds conformant"), r.out());

        Map<String, Object> json = json(report);
        assertTrue(!String.valueOf(json.get("spec_version")).isBlank(), "the spec version: " + json.get("spec_version"));
        List<Map<String, Object>> builds = list(json.get("builds"));
        assertEquals(List.of("reference", "python", "free-text"), builds.stream().map(b -> b.get("name")).toList());
        for (Map<String, Object> b : builds) {
            assertEquals("conformant", b.get("verdict"), b.toString());
            Map<String, Object> identity = map(b.get("identity"));
            assertTrue(String.valueOf(identity.get("command")).contains(b.get("name").equals("reference") ? "litsxg.jar" : "litsxg.py"),
                    identity.toString());
            assertTrue(map(identity.get("sha256")).keySet().stream().anyMatch(f -> f.endsWith(".jar") || f.endsWith("litsxg.py")),
                    "the build's sha256: " + identity);
        }
        Map<String, Object> cmd13 = clause(json, "CMD-13");
        for (String build : List.of("reference", "python", "free-text")) {
            Map<String, Object> cell = map(map(cmd13.get("builds")).get(build));
            assertEquals("OK", cell.get("outcome"), build + ": " + cell);
            Path evidence = report.resolve(String.valueOf(cell.get("evidence")).replaceAll("#.*", ""));
            assertTrue(Files.readString(evidence).contains("id=\"CMD-13\""), "the cell links to the clause in " + evidence);
        }

        // AUTH-3 registers and authenticates: the free-text variant's replies differ, the plain build's do not.
        Map<String, Object> auth = map(scenario(json, "AUTH-3").get("builds"));
        assertEquals("same", map(auth.get("python")).get("status"), auth.toString());
        Map<String, Object> variant = map(auth.get("free-text"));
        assertEquals("differs", variant.get("status"), variant.toString());
        List<String> lines = strings(variant.get("lines"));
        assertTrue(lines.contains("+   < OK registered (free text of the litsxg.py variant)"), lines.toString());
        assertTrue(lines.contains("-   < OK registered"), lines.toString());

        String dom = chromium(report.resolve(MatrixPage.HTML));
        assertTrue(dom.contains("<th class=\"build\">reference</th>") && dom.contains("<th class=\"build\">python</th>"),
                "both columns are rendered");
        assertTrue(dom.contains("data-build=\"python\" data-clause=\"CMD-13\" data-outcome=\"OK\""), "python's CMD-13 cell");
        assertTrue(dom.contains("id=\"spec-version\""), "the spec version");
        assertTrue(dom.contains("OK registered (free text of the litsxg.py variant)"), "the differing line is in the diff view");
        assertTrue(dom.contains("data-build=\"python\" data-diff=\"same\""), "a scenario the same on python");
    }

    @Test
    void aPlantedDefectIsARedCellAndABuildThatCannotStartIsAColumnOfNotRun() throws Exception {
        Path report = tmp.resolve("matrix");
        RunnerJar.Run r = RunnerJar.run(tmp, "matrix", "--build", "no-pong=" + DefectiveBuildsTest.template("no-pong"),
                "--build", "dead=false {port} {data_dir}", "--clause", "CMD-13", "--startup-timeout", "5",
                "--report", report.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\[no-pong\\]\\s+\\d+ FAILED\\s+CMD-13\\s.*")), r.out());
        assertTrue(r.out().contains("NOT EVERY BUILD CONFORMANT: 1 of 3 builds conformant [no-pong NOT CONFORMANT, dead NOT RUN]"),
                r.out());

        Map<String, Object> json = json(report);
        Map<String, Object> cells = map(clause(json, "CMD-13").get("builds"));
        assertEquals("OK", map(cells.get("reference")).get("outcome"));
        assertEquals("FAILED", map(cells.get("no-pong")).get("outcome"));
        assertTrue(String.valueOf(map(cells.get("no-pong")).get("reason")).contains("OK pong"), cells.toString());
        assertEquals("NOT RUN", map(cells.get("dead")).get("outcome"));
        assertTrue(String.valueOf(map(cells.get("dead")).get("reason")).contains("cannot be started"), cells.toString());

        String dom = chromium(report.resolve(MatrixPage.HTML));
        assertTrue(dom.contains("<td class=\"cell o-FAILED\" data-build=\"no-pong\" data-clause=\"CMD-13\" data-outcome=\"FAILED\""
                + " title=\"CMD-13 FAILED on no-pong: "), "a red cell naming CMD-13 in the defective build's column");
        assertTrue(dom.contains("data-build=\"dead\" data-clause=\"CMD-13\" data-outcome=\"NOT RUN\""), "a NOT RUN column");
        assertTrue(dom.contains("id=\"build-dead\" data-verdict=\"NOT RUN\""), "the verdict of the build that cannot start");
    }

    @Test
    void badUsageIsOneLineAndExit2() throws Exception {
        String[][] cases = {
            {"matrix", "--build", "no-equals-sign"},
            {"matrix", "--build", "a=python3 x.py {port}", "--build", "a=python3 y.py {port}"},
            {"matrix", "--build", "bad name=python3 x.py"},
            {"matrix", "--clause", "NOPE-1"},
        };
        for (String[] args : cases) {
            RunnerJar.Run r = RunnerJar.run(tmp, args);
            assertEquals(2, r.exit(), String.join(" ", args) + "\n" + r.out() + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("litsxg conformance:"), r.err());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object o) {
        return (List<String>) o;
    }

    private static Map<String, Object> json(Path report) throws IOException {
        return map(Json.read(Files.readString(report.resolve(MatrixPage.JSON))));
    }

    private static Map<String, Object> clause(Map<String, Object> json, String id) {
        return list(json.get("clauses")).stream().filter(c -> id.equals(c.get("id"))).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + id));
    }

    private static Map<String, Object> scenario(Map<String, Object> json, String clause) {
        return list(json.get("behaviour_diff")).stream().filter(s -> strings(s.get("clauses")).contains(clause)).findFirst()
                .orElseThrow(() -> new AssertionError("no scenario of " + clause + " in the diff"));
    }

    /** The page's DOM as headless Chromium renders it (as ConformanceCliIT does for the runner's report). */
    private String chromium(Path page) throws IOException, InterruptedException {
        Path chromium = Path.of("/usr/bin/chromium");
        assertTrue(Files.isExecutable(chromium), "Debian's chromium is needed (apt-get install chromium; .ci/run installs it)");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")),
                "--dump-dom", page.toUri().toString())
                .redirectError(tmp.resolve("chromium.err").toFile()).start();
        byte[] dom = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium ended");
        String html = new String(dom, StandardCharsets.UTF_8);
        assertTrue(html.contains("id=\"matrix\""), "the page rendered: " + html.length() + " characters");
        return html;
    }
}

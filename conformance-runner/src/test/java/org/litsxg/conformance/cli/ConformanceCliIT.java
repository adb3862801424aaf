package org.litsxg.conformance.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar as an implementer uses it: a real process, a build it has never seen (the
 * Python one, correct and with planted defects), its exit status, terminal output and reports.
 */
class ConformanceCliIT {
    private static final String PYTHON = System.getProperty("litsxg.python.build");
    private static final String FLAGS = " --bind {bind} --port {port} --data-dir {data_dir} --max-queued {max_queued}"
            + " --max-connections {max_connections} --auth-timeout {auth_timeout}"
            + " --max-pending-bytes {max_pending_bytes} --log-level {log_level}"
            // A lower key-derivation cost, as in DefectiveBuildsTest: SEC-2 registers 2000 names.
            + " --pbkdf2-iterations 2000";

    @TempDir
    Path tmp;

    private static String python(String defect) {
        return (defect == null ? "" : "env LITSXG_DEFECT=" + defect + " ") + "python3 " + PYTHON + FLAGS;
    }

    private RunnerJar.Run run(String... args) throws IOException, InterruptedException {
        return RunnerJar.run(tmp, args);
    }

    /**
     * A kit stopped in the middle of a run (SIGTERM, as a CI time-out or an operator sends it)
     * leaves no build under test running: every server it started is stopped with it.
     */
    @Test
    void stoppingTheKitStopsEveryServerItStarted() throws Exception {
        // The build from a path of this test's own, so that its processes can be told apart.
        Path script = Files.copy(Path.of(PYTHON), Files.createDirectories(tmp.resolve("kit-stop")).resolve("litsxg.py"));
        String marker = script.toString();
        List<String> cmd = List.of("java", "-jar", System.getProperty("litsxg.runner.jar"),
                "--server", "python3 " + marker + FLAGS, "--parallel", "4");
        Process kit = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("kit-out").toFile())
                .redirectError(tmp.resolve("kit-err").toFile()).start();
        try {
            await("the kit runs servers").atMost(Duration.ofSeconds(60)).until(() -> !servers(kit, marker).isEmpty());
            kit.destroy();
            assertTrue(kit.waitFor(30, TimeUnit.SECONDS), "the kit ends after SIGTERM");
            await("no server of the kit is left").atMost(Duration.ofSeconds(15)).until(() -> servers(kit, marker).isEmpty());
        } finally {
            kit.destroyForcibly();
            servers(kit, marker).forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** The running processes of the build at {@code marker} (the kit's own command names it too). */
    private static List<ProcessHandle> servers(Process kit, String marker) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.pid() != kit.pid() && h.isAlive())
                .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .toList();
    }

    @Test
    void certifiesANonJavaBuildItHasNeverSeen() throws Exception {
        Path report = tmp.resolve("report");
        RunnerJar.Run r = run("--server", python(null), "--clause", "WIRE,CMD,ROUTE", "--report", report.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.summary().startsWith("conformant: "), r.summary());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s*\\d+ OK\\s+CMD-13\\s.*")), "one progress line per scenario");
        for (String f : List.of("report.html", "junit.xml", "messages.ndjson", "outcomes.json", "index.json")) {
            assertTrue(Files.size(report.resolve(f)) > 0, f);
        }
        String index = Files.readString(report.resolve("index.json"));
        assertTrue(index.contains("\"sha256\"") && index.contains("litsxg.py"), "the build's identity: " + index);
    }

    @Test
    void rejectsEachDefectiveBuildOnTheClauseItBreaks() throws Exception {
        String[][] cases = {
            {"no-pong", "CMD-13", "CMD"},
            {"extension-version", "FINAL-5", "FINAL"},
            {"bad-encoding-closes", "WIRE-7", "WIRE"},
        };
        for (String[] c : cases) {
            RunnerJar.Run r = run("--server", python(c[0]), "--clause", c[2]);
            assertEquals(1, r.exit(), c[0] + ": " + r.summary());
            assertTrue(r.summary().startsWith("NOT CONFORMANT") && r.summary().contains(c[1]),
                    c[0] + " is rejected naming " + c[1] + ": " + r.summary());
        }
    }

    @Test
    void aBaselineExcusesKnownFailuresAndRejectsStaleEntries() throws Exception {
        Path baseline = tmp.resolve("baseline.txt");
        Files.writeString(baseline, "# known\nCMD-13 PING answered OK pong\n");
        RunnerJar.Run excused = run("--server", python("no-pong"), "--clause", "CMD-13", "--baseline", baseline.toString());
        assertEquals(0, excused.exit(), excused.summary());
        RunnerJar.Run stale = run("--server", python(null), "--clause", "CMD-13", "--baseline", baseline.toString());
        assertEquals(1, stale.exit(), stale.summary());
        assertTrue(stale.out().contains("STALE BASELINE ENTRY"), stale.out());
    }

    @Test
    void aBuildThatCannotStartOrBadUsageExits2WithOneLine() throws Exception {
        RunnerJar.Run dead = run("--server", "false {port} {data_dir}", "--clause", "CMD-13", "--startup-timeout", "5");
        assertEquals(2, dead.exit());
        assertEquals(1, dead.err().lines().count(), dead.err());
        assertTrue(dead.err().contains("cannot be started"), dead.err());
        for (String[] bad : new String[][] {{"--clause", "NOPE-1"}, {"--no-such-option"}, {"--timescale", "0"}}) {
            RunnerJar.Run r = run(bad);
            assertEquals(2, r.exit(), String.join(" ", bad));
            assertEquals(1, r.err().lines().filter(l -> l.startsWith("litsxg conformance:")).count(), r.err());
        }
    }

    @Test
    void aBackgroundJobOfAShellStillCertifiesSigint() throws Exception {
        // sh without job control starts "&" jobs with SIGINT ignored; the builds the kit starts
        // must not inherit that, or a correct build fails the SIGINT clauses. The reference (a
        // JVM) is the build to show it: a JVM cannot catch a SIGINT it inherited as ignored.
        Path out = tmp.resolve("bg.out");
        Process p = new ProcessBuilder("sh", "-c", "\"$@\" > " + out + " 2>&1 & wait $!", "sh",
                "java", "-Dlitsxg.reference.jar=" + System.getProperty("litsxg.reference.jar"),
                "-jar", System.getProperty("litsxg.runner.jar"), "--clause", "PROC-13")
                .start();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "the runner finished within 240 s");
        String text = Files.readString(out);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("conformant: 1/1 clauses"), text);
    }

    @Test
    void listsScenariosWithoutRunningThem() throws Exception {
        RunnerJar.Run r = run("--clause", "AUTH-5", "--dry-run");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("@AUTH-5") && r.out().contains("features/auth.feature:"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\d+ scenarios selected")), r.out());
    }

    @Test
    void theHtmlReportShowsTheMatrixAndAFailureInARealBrowser() throws Exception {
        Path report = tmp.resolve("html");
        RunnerJar.Run r = run("--server", python("no-pong"), "--clause", "CMD-13,CMD-14", "--report", report.toString());
        assertEquals(1, r.exit(), r.summary());
        Path chromium = Path.of("/usr/bin/chromium");
        assertTrue(Files.isExecutable(chromium), "Debian's chromium is needed (apt-get install chromium; .ci/run installs it)");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")),
                "--dump-dom", report.resolve("report.html").toUri().toString())
                .redirectError(tmp.resolve("chromium.err").toFile()).start();
        byte[] dom = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String html = new String(dom, StandardCharsets.UTF_8);
        assertTrue(html.contains("id=\"matrix\""), "the clause x outcome matrix is rendered");
        assertTrue(html.contains("id=\"CMD-13\" data-outcome=\"FAILED\""), "CMD-13 is a failed row");
        assertTrue(html.contains("id=\"CMD-14\" data-outcome=\"OK\""), "CMD-14 is a passed row");
        assertTrue(html.contains("OK pong"), "the failure's actual reply is one click away");
        assertTrue(html.contains("NOT CONFORMANT"), "the verdict comes first");
    }
}

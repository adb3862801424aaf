package org.litsxg.conformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code verify-upgrade} from the runnable jar, as a maintainer runs it: a real process, its exit status and output. */
class VerifyUpgradeCliIT {
    private static final String PYTHON = "python3 " + System.getProperty("litsxg.python.build")
            + " --bind {bind} --port {port} --data-dir {data_dir} --max-queued {max_queued}"
            + " --max-connections {max_connections} --auth-timeout {auth_timeout}"
            + " --max-pending-bytes {max_pending_bytes} --log-level {log_level}";

    @TempDir
    Path tmp;

    private RunnerJar.Run run(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("verify-upgrade"));
        all.addAll(List.of(args));
        return RunnerJar.run(tmp, all.toArray(String[]::new));
    }

    @Test
    void aCandidateWithAnExtraCommandIsNotPermittedExit1() throws Exception {
        Path report = tmp.resolve("report");
        RunnerJar.Run r = run("--from", PYTHON, "--to", "env LITSXG_DEFECT=add-command " + PYTHON, "--clause", "FINAL-5",
                "--report", report.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("NOT PERMITTED: ") && l.contains("extension")), r.out());
        assertTrue(r.out().contains("command WHO"), r.out());
        assertTrue(Files.readString(report.resolve("index.json")).contains("NOT PERMITTED"));
        assertTrue(Files.size(report.resolve("report.html")) > 0);
    }

    @Test
    void aCandidateThatCannotStartIsExit2() throws Exception {
        RunnerJar.Run r = run("--from", PYTHON, "--to", "python3 " + tmp.resolve("missing.py") + " --port {port} --data-dir {data_dir}");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("litsxg conformance verify-upgrade: the --to build cannot be started: "), r.err());
    }
}

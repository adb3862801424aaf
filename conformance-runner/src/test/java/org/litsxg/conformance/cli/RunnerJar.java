package org.litsxg.conformance.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The runnable runner jar ({@code litsxg.runner.jar}) run as a real process by the *IT tests. */
final class RunnerJar {

    /** What one invocation left: its exit status, stdout and stderr. */
    record Run(int exit, String out, String err) {
        /** The summary line ({@code conformant: …} or {@code NOT CONFORMANT: …}), or all of stdout. */
        String summary() {
            return out.lines().filter(l -> l.startsWith("conformant:") || l.startsWith("NOT CONFORMANT:"))
                    .findFirst().orElse("(no summary line) " + out);
        }
    }

    private RunnerJar() {
    }

    /**
     * Runs {@code java -jar <runner> args…}, its output kept in files under {@code tmp}; fails
     * the test if it has not ended within 240 s. Blocks until it has.
     */
    static Run run(Path tmp, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", System.getProperty("litsxg.runner.jar")));
        cmd.addAll(List.of(args));
        Path out = tmp.resolve("out-" + System.nanoTime());
        Path err = tmp.resolve("err-" + System.nanoTime());
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "the runner finished within 240 s: " + String.join(" ", args));
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}

package org.litsxg.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short command (a version probe, {@code jcmd}) in a scratch directory with its stdout
 * and stderr in one file, waits at most a bound, and returns what it printed: "" when it could
 * not run or outlived the bound (then it is killed).
 */
final class BoundedCommand {

    private BoundedCommand() {
    }

    static String output(List<String> cmd, int seconds) {
        Path scratch = null;
        try {
            // In a scratch directory: a binary that is not what its name says (Debian's /usr/bin/ergo
            // is ErgoSCF, a chemistry program) may write files where it runs (ergoscf.out).
            scratch = Files.createTempDirectory("litsxg-bench-cmd");
            Path out = scratch.resolve("output");
            Process p = new ProcessBuilder(cmd).directory(scratch.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "";
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } finally {
            if (scratch != null) {
                try {
                    BenchServer.deleteTree(scratch);
                } catch (IOException e) {
                    // a leftover in the temporary directory
                }
            }
        }
    }
}

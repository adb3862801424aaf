package org.litsxg.conformance.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether the builds the kit starts would inherit an ignored SIGINT. A shell without job
 * control starts its background jobs with SIGINT and SIGQUIT ignored ({@code ./litsxg
 * conformance ... &} in a script), an ignored signal stays ignored across exec, and a JVM (or
 * any program) cannot catch what it inherited as ignored: a correct build would then fail the
 * SIGINT clauses. When that is so, the kit starts each build through GNU
 * {@code env --default-signal=INT}, which restores the default disposition before it execs
 * the build (same process, same argument vector); without such an {@code env}, the scenarios
 * that send SIGINT are NOT RUN instead of failed.
 */
final class SignalDisposition {

    /** SIGINT is ignored in this JVM, hence in every child it starts. */
    static final boolean SIGINT_IGNORED = sigintIgnored();

    /** The prefix that gives the child SIGINT's default disposition. */
    static final List<String> RESET_PREFIX = List.of("env", "--default-signal=INT");

    /** The kit prefixes {@link #RESET_PREFIX}: SIGINT is ignored here and {@code env} can reset it. */
    static final boolean RESET_SIGINT = SIGINT_IGNORED && envCanReset();

    private SignalDisposition() {
    }

    private static boolean sigintIgnored() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (mask & (1L << (2 - 1))) != 0; // SIGINT is signal 2
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: nothing known, nothing done.
        }
        return false;
    }

    private static boolean envCanReset() {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

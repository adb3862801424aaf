package org.litsxg.bench;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The benchmark jar's entry point, {@code java -jar bench/target/litsxg-bench.jar <name> ...}
 * (the launcher's {@code ./litsxg bench <name> ...}). Bad usage prints one line on stderr and
 * exits {@link #USAGE}; a benchmark exits {@link #OK} when every run held its clients and lost
 * nothing, {@link #FAILED} otherwise or on an error (one line on stderr).
 *
 * <p>These exit statuses are the benchmarks' own, not the server's process contract, so this
 * module does not depend on the server module for them: it meets the reference server only as a
 * process started from its jar, as it meets ngircd and InspIRCd.
 */
public final class BenchMain {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private BenchMain() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new BenchCommand());
        cmd.setParameterExceptionHandler((ex, argv) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("litsxg bench: " + oneLine(ex.getMessage()));
            err.flush();
            return USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, command, parsed) -> {
            PrintWriter err = command.getErr();
            err.println("litsxg bench: " + oneLine(ex instanceof java.io.IOException ? ex.getMessage() : String.valueOf(ex)));
            err.flush();
            return FAILED;
        });
        return cmd;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }
}

package org.litsxg;

import java.io.PrintWriter;
import org.litsxg.bench.BenchCommand;
import org.litsxg.client.ClientCommand;
import org.litsxg.server.ServerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code litsxg server|client}. Bad usage prints one line on stderr and exits 2; a start-up
 * failure one line and exits 3; an unexpected error one line and exits 1.
 */
@Command(name = "litsxg", mixinStandardHelpOptions = true, version = "litsxg 1.0.0",
        description = "Litsxg: a minimal plaintext messaging server reached over Tor.",
        subcommands = {ServerCommand.class, ClientCommand.class, BenchCommand.class})
public final class Main implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: server or client (see litsxg --help)");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with the kit's error conventions. */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Main());
        cmd.setParameterExceptionHandler((ex, argv) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("litsxg: " + oneLine(ex.getMessage()));
            err.flush();
            return ExitCodes.USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, command, parsed) -> {
            PrintWriter err = command.getErr();
            if (ex instanceof StartupException s) {
                err.println("litsxg: " + oneLine(s.getMessage()));
                err.flush();
                return s.exitCode();
            }
            err.println("litsxg: fatal: " + oneLine(String.valueOf(ex)));
            err.flush();
            return ExitCodes.FATAL;
        });
        return cmd;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }
}

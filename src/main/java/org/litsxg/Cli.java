package org.litsxg;

import java.io.PrintWriter;
import org.litsxg.client.ClientCommand;
import org.litsxg.server.ServerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The picocli command line of {@link Main}: every subcommand, help, and the kit's error conventions. */
@Command(name = "litsxg", mixinStandardHelpOptions = true, version = "litsxg 1.0.0",
        description = "Litsxg: a minimal plaintext messaging server reached over Tor.")
public final class Cli implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: server or client (see litsxg --help)");
    }

    /** Parses and runs {@code args}; the exit code. */
    static int execute(String[] args) {
        return commandLine(args.length > 0 ? args[0] : "").execute(args);
    }

    /**
     * The command line for {@code first} (the first argument): only that subcommand's model
     * when it names one, every subcommand otherwise (for help and for errors). Picocli builds a
     * model by reflection for each subcommand it is given, and the conformance suite starts the
     * server a few hundred times. (The benchmarks are a jar of their own, bench/: the launcher
     * runs {@code litsxg bench ...} from it.)
     */
    static CommandLine commandLine(String first) {
        CommandLine cmd = new CommandLine(new Cli());
        switch (first) {
            case "server" -> cmd.addSubcommand(new ServerCommand());
            case "client" -> cmd.addSubcommand(new ClientCommand());
            default -> {
                cmd.addSubcommand(new ServerCommand());
                cmd.addSubcommand(new ClientCommand());
            }
        }
        cmd.setParameterExceptionHandler((ex, argv) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("litsxg: " + Main.oneLine(ex.getMessage()));
            err.flush();
            return ExitCodes.USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, command, parsed) -> Main.failed(ex, command.getErr()));
        return cmd;
    }
}

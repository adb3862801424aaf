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
        description = "Litsxg: a minimal plaintext messaging server reached over Tor.")
public final class Main implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: server or client (see litsxg --help)");
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("server")) {
            preferSmallLocaleData();
            var plain = ServerCommand.parsePlain(java.util.Arrays.asList(args).subList(1, args.length));
            if (plain.isPresent()) {
                System.exit(runPlain(plain.get()));
            }
        }
        System.exit(commandLine(args.length > 0 ? args[0] : "").execute(args));
    }

    /**
     * The server formats nothing by locale, but the SQLite driver builds a date format when it
     * connects, which loads the CLDR locale data: about 50 ms of CPU of every start. The JDK's
     * older locale data (COMPAT) gives the driver the same English patterns for a fraction of
     * that. Only up to JDK 20: JDK 21 deprecates COMPAT with a warning on stderr, which the
     * server must not print. An operator's own {@code -Djava.locale.providers} is kept.
     */
    private static void preferSmallLocaleData() {
        if (System.getProperty("java.locale.providers") == null && Runtime.version().feature() < 21) {
            System.setProperty("java.locale.providers", "COMPAT");
        }
    }

    /** A server started without picocli ({@link ServerCommand#parsePlain}), with the same error handling. */
    private static int runPlain(ServerCommand.Plain plain) {
        try {
            return plain.run();
        } catch (Exception e) {
            PrintWriter err = new PrintWriter(System.err, true);
            return failed(e, err);
        }
    }

    /** The command line with every subcommand and the kit's error conventions. */
    public static CommandLine commandLine() {
        return commandLine("");
    }

    /**
     * The command line for {@code first} (the first argument): only that subcommand's model
     * when it names one, every subcommand otherwise (for help and for errors). Picocli builds a
     * model by reflection for each subcommand it is given; building the client's and the
     * benchmarks' too costs a server start about a quarter of a second of CPU, and the
     * conformance suite starts the server a few hundred times.
     */
    static CommandLine commandLine(String first) {
        CommandLine cmd = new CommandLine(new Main());
        switch (first) {
            case "server" -> cmd.addSubcommand(new ServerCommand());
            case "client" -> cmd.addSubcommand(new ClientCommand());
            case "bench" -> cmd.addSubcommand(new BenchCommand());
            default -> {
                cmd.addSubcommand(new ServerCommand());
                cmd.addSubcommand(new ClientCommand());
                cmd.addSubcommand(new BenchCommand());
            }
        }
        cmd.setParameterExceptionHandler((ex, argv) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("litsxg: " + oneLine(ex.getMessage()));
            err.flush();
            return ExitCodes.USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, command, parsed) -> failed(ex, command.getErr()));
        return cmd;
    }

    /** One line on {@code err} for a command that failed with {@code ex}; its exit code. */
    private static int failed(Exception ex, PrintWriter err) {
        if (ex instanceof StartupException s) {
            err.println("litsxg: " + oneLine(s.getMessage()));
            err.flush();
            return s.exitCode();
        }
        err.println("litsxg: fatal: " + oneLine(String.valueOf(ex)));
        err.flush();
        return ExitCodes.FATAL;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }
}

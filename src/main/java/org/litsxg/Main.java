package org.litsxg;

import java.io.PrintWriter;
import org.litsxg.server.ServerCommand;

/**
 * {@code litsxg server|client}. Bad usage prints one line on stderr and exits 2; a start-up
 * failure one line and exits 3; an unexpected error one line and exits 1.
 *
 * <p>This class names no picocli type: a server started with plain flags
 * ({@link ServerCommand#parsePlain}) never loads picocli's classes, which the JDK's class-data
 * archive cannot hold (their bytecode is too old for it). Everything else goes through
 * {@link Cli}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("server")) {
            preferSmallLocaleData();
            var plain = ServerCommand.parsePlain(java.util.Arrays.asList(args).subList(1, args.length));
            if (plain.isPresent()) {
                System.exit(runPlain(plain.get()));
            }
        }
        System.exit(Cli.execute(args));
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

    /** One line on {@code err} for a command that failed with {@code ex}; its exit code. */
    static int failed(Exception ex, PrintWriter err) {
        if (ex instanceof StartupException s) {
            err.println("litsxg: " + oneLine(s.getMessage()));
            err.flush();
            return s.exitCode();
        }
        err.println("litsxg: fatal: " + oneLine(String.valueOf(ex)));
        err.flush();
        return ExitCodes.FATAL;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }
}

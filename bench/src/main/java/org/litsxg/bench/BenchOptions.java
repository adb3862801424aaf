package org.litsxg.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import picocli.CommandLine.Option;

/**
 * The options several benchmarks share, each a picocli mixin defined once here (the servers to
 * start are {@link ServerOptions}, the peers to compare {@link Targets}), and the CSV files they
 * append to.
 */
final class BenchOptions {

    private BenchOptions() {
    }

    /** {@code --timeout}: the bound on each phase; its default is the benchmark's. */
    static final class Timeout {
        @Option(names = "--timeout", paramLabel = "SECONDS",
                description = "Bound on each phase: starting, connecting, registering, probing (default: ${DEFAULT-VALUE}).")
        int seconds;

        Timeout(int seconds) {
            this.seconds = seconds;
        }
    }

    /** {@code --size}: the message text size. */
    static final class MessageSize {
        @Option(names = "--size", paramLabel = "BYTES", description = "Message text size (default: ${DEFAULT-VALUE}).")
        int bytes = 64;
    }

    /** {@code --csv}: the file the benchmark's result rows are appended to. */
    static final class Csv {
        @Option(names = "--csv", paramLabel = "FILE", description = "Append the result rows to this CSV file (a header first when it is new).")
        Path file;

        boolean given() {
            return file != null;
        }

        /** Appends {@code row} (with a header line first when the file is new or empty); nothing without {@code --csv}. */
        void append(String header, String row) throws IOException {
            if (file != null) {
                appendRow(file, header, row);
            }
        }
    }

    /** {@code --server}: a server already running, instead of the reference server started for the run. */
    static final class RunningServer {
        @Option(names = "--server", paramLabel = "HOST:PORT", description = "An already running server (default: start the reference server).")
        String hostPort;

        boolean given() {
            return hostPort != null;
        }

        InetSocketAddress address() {
            int colon = hostPort.lastIndexOf(':');
            return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        }
    }

    /** Appends {@code row} and a newline to {@code file}, after {@code header} and a newline when the file is new or empty. */
    static void appendRow(Path file, String header, String row) throws IOException {
        boolean fresh = !Files.exists(file) || Files.size(file) == 0;
        Files.writeString(file, (fresh ? header + "\n" : "") + row + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}

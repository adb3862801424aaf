package org.litsxg.server;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code litsxg server}: its flags, read by picocli or, for plain arguments, by
 * {@link #parsePlain}; then {@link Server#run}, synchronous until SIGTERM or SIGINT (exit 0). A
 * failure before the ready line exits 2 (bad flag) or 3 (port, data directory) with one line
 * on stderr; a fatal error afterwards exits 1.
 */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Run the Litsxg reference server.")
public final class ServerCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    private String bind = ServerConfig.DEFAULT_BIND;

    @Option(names = "--port", converter = DigitsInt.class, description = "TCP port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    private int port = ServerConfig.DEFAULT_PORT;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (default: ${DEFAULT-VALUE}).")
    private Path dataDir = Path.of(ServerConfig.DEFAULT_DATA_DIR);

    @Option(names = "--max-queued", converter = DigitsInt.class, paramLabel = "N", description = "Messages kept per offline recipient (default: ${DEFAULT-VALUE}).")
    private int maxQueued = ServerConfig.DEFAULT_MAX_QUEUED;

    @Option(names = "--max-connections", converter = DigitsInt.class, paramLabel = "N", description = "Open connections before ERR server-full (default: ${DEFAULT-VALUE}).")
    private int maxConnections = ServerConfig.DEFAULT_MAX_CONNECTIONS;

    @Option(names = "--auth-timeout", converter = DigitsInt.class, paramLabel = "SECONDS", description = "Seconds to authenticate (default: ${DEFAULT-VALUE}).")
    private int authTimeout = ServerConfig.DEFAULT_AUTH_TIMEOUT_SECONDS;

    @Option(names = "--max-pending-bytes", converter = DigitsLong.class, paramLabel = "BYTES", description = "Pending output per connection before it is dropped (default: ${DEFAULT-VALUE}).")
    private long maxPendingBytes = ServerConfig.DEFAULT_MAX_PENDING_BYTES;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "error, warn, info or debug (default: ${DEFAULT-VALUE}). debug logs message text.")
    private String logLevel = "info";

    @Option(names = "--pbkdf2-iterations", converter = DigitsInt.class, paramLabel = "N", description = "PBKDF2 cost for new identities (default: ${DEFAULT-VALUE}).")
    private int pbkdf2Iterations = PasswordHash.DEFAULT_ITERATIONS;

    @Override
    public Integer call() throws Exception {
        ServerConfig config;
        Level level;
        try {
            config = config();
            level = StderrLogging.parseLevel(logLevel);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        StderrLogging.install(level);
        return Server.run(config, System.out);
    }

    ServerConfig config() {
        return new ServerConfig(bind, port, dataDir, maxQueued, maxConnections, authTimeout,
                maxPendingBytes, pbkdf2Iterations);
    }

    /**
     * The flags above, each with how a plain value sets it: the same fields and conversions
     * picocli uses ({@code Integer.parseInt}, {@code Long.parseLong}, {@code Path.of}), for the
     * values whose meaning is beyond doubt. ServerCommandPlainTest holds this table to the
     * annotations: the same flag names, and the same settings as picocli for every argument
     * vector it accepts.
     */
    private static final Map<String, BiConsumer<ServerCommand, String>> PLAIN_FLAGS = Map.of(
            "--bind", (c, v) -> c.bind = v,
            "--port", (c, v) -> c.port = Integer.parseInt(digits(v)),
            "--data-dir", (c, v) -> c.dataDir = Path.of(v),
            "--max-queued", (c, v) -> c.maxQueued = Integer.parseInt(digits(v)),
            "--max-connections", (c, v) -> c.maxConnections = Integer.parseInt(digits(v)),
            "--auth-timeout", (c, v) -> c.authTimeout = Integer.parseInt(digits(v)),
            "--max-pending-bytes", (c, v) -> c.maxPendingBytes = Long.parseLong(digits(v)),
            "--log-level", (c, v) -> c.logLevel = v,
            "--pbkdf2-iterations", (c, v) -> c.pbkdf2Iterations = Integer.parseInt(digits(v)));

    /** The flag names of {@link #PLAIN_FLAGS}, for the test that holds it to the annotations. */
    static java.util.Set<String> plainFlagNames() {
        return PLAIN_FLAGS.keySet();
    }

    /**
     * Numeric flag values are ASCII digits only (spec PROC-20): picocli's own int conversion
     * would take a sign ({@code --port +5}), which the spec makes bad usage (exit 2).
     */
    static final class DigitsInt implements picocli.CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return Integer.parseInt(digits(value));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a whole number of ASCII digits up to 2147483647");
            }
        }
    }

    /** As {@link DigitsInt}, for a long. */
    static final class DigitsLong implements picocli.CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.parseLong(digits(value));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a whole number of ASCII digits");
            }
        }
    }

    private static String digits(String v) {
        if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new IllegalArgumentException("not a plain number: " + v);
        }
        return v;
    }

    /**
     * The server's settings read without picocli, when the arguments after {@code server} are
     * nothing but known flags, each given once, as {@code --flag value} or {@code --flag=value}
     * with a plain value, and the settings they make are valid. Anything else (help, version,
     * an unknown or repeated flag, a missing, signed or odd value, an invalid setting) gives
     * empty, and picocli parses the same arguments with its help and its error messages.
     *
     * <p>Picocli builds its model of a command by reflection on its annotations, and its classes
     * (Java 5 bytecode) cannot be kept in a class-data-sharing archive: about a third of the
     * CPU a server start costs. The conformance suite starts the server a few hundred times.
     */
    public static Optional<Plain> parsePlain(List<String> args) {
        ServerCommand c = new ServerCommand();
        java.util.Set<String> seen = new java.util.HashSet<>();
        try {
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                int eq = arg.indexOf('=');
                String flag = eq < 0 ? arg : arg.substring(0, eq);
                BiConsumer<ServerCommand, String> set = PLAIN_FLAGS.get(flag);
                if (set == null || !seen.add(flag)) {
                    return Optional.empty();
                }
                String value;
                if (eq >= 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    return Optional.empty();
                }
                if (value.isEmpty() || value.startsWith("-")) {
                    return Optional.empty();
                }
                set.accept(c, value);
            }
            return Optional.of(new Plain(c.config(), StderrLogging.parseLevel(c.logLevel)));
        } catch (IllegalArgumentException e) { // also NumberFormatException, InvalidPathException
            return Optional.empty();
        }
    }

    /** Settings read by {@link #parsePlain}. */
    public record Plain(ServerConfig config, Level level) {
        /** What {@link #call()} does once picocli has set the fields. */
        public int run() throws Exception {
            StderrLogging.install(level);
            return Server.run(config, System.out);
        }
    }
}

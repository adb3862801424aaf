package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The server's flags read without picocli mean exactly what picocli makes of them. */
class ServerCommandPlainTest {
    private static final List<String> VALUES = List.of("0", "1", "7", "30", "1000", "7667", "8192", "65535",
            "65536", "1048576", "100000", "2147483648", "007", "+5", "-1", "0x10", "1e3", " 5", "",
            "127.0.0.1", "::1", "localhost", "/tmp/x y", "./litsxg-data", "debug", "info", "warn",
            "error", "DEBUG", "verbose", "=", "a=b");

    /** What picocli makes of {@code args}: the settings and level, or empty if it refuses them. */
    private static Optional<ServerCommand.Plain> picocli(List<String> args) {
        ServerCommand command = new ServerCommand();
        CommandLine cl = new CommandLine(command);
        try {
            CommandLine.ParseResult parsed = cl.parseArgs(args.toArray(String[]::new));
            if (parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested()) {
                return Optional.empty();
            }
            return Optional.of(new ServerCommand.Plain(command.config(), StderrLogging.parseLevel(plainLevel(cl))));
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String plainLevel(CommandLine cl) {
        return cl.getCommandSpec().findOption("--log-level").getValue();
    }

    @Test
    void knowsExactlyTheFlagsOfTheAnnotations() {
        Set<String> annotated = new CommandLine(new ServerCommand()).getCommandSpec().options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp())
                .map(OptionSpec::longestName).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(annotated, new TreeSet<>(ServerCommand.plainFlagNames()));
    }

    @Test
    void readsTheKitsTemplateAsPicocliDoes() {
        List<String> args = List.of("--bind", "127.0.0.1", "--port", "40123", "--data-dir", "/tmp/litsxg-x/data",
                "--max-queued", "1000", "--max-connections", "10000", "--auth-timeout", "30",
                "--max-pending-bytes", "1048576", "--log-level", "info", "--pbkdf2-iterations", "1000");
        Optional<ServerCommand.Plain> plain = ServerCommand.parsePlain(args);
        assertTrue(plain.isPresent());
        assertEquals(picocli(args), plain);
        assertEquals(40123, plain.get().config().port());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h", "--version", "-V", "--port", "--port -1", "--port 0x10", "--port +5",
        "--port 70000", "--port=", "--port 1 --port 2", "--verbose", "--bind=", "--data-dir -x",
        "--log-level verbose", "--pbkdf2-iterations 999", "--max-pending-bytes 100", "extra"})
    void leavesEverythingElseToPicocli(String line) {
        assertEquals(Optional.empty(), ServerCommand.parsePlain(List.of(line.split(" "))));
    }

    /** Spec PROC-20: a sign, a fraction, or a value out of range is bad usage, for picocli too. */
    @ParameterizedTest
    @ValueSource(strings = {"--port +5", "--port -0", "--max-queued 0", "--max-queued -1", "--max-queued 1e3",
        "--auth-timeout 1.5", "--auth-timeout 0", "--max-connections 0", "--max-pending-bytes 8191",
        "--max-pending-bytes +8192", "--port 65536"})
    void signedFractionalOrOutOfRangeValuesAreRefused(String line) {
        List<String> args = List.of(line.split(" "));
        assertEquals(Optional.empty(), picocli(args), line);
        assertEquals(Optional.empty(), ServerCommand.parsePlain(args), line);
    }

    /** Spec PROC-20: the lowest and highest values of each range are accepted, by both readers. */
    @ParameterizedTest
    @ValueSource(strings = {"--port 0", "--port 65535", "--port 007", "--max-queued 1", "--max-queued 2147483647",
        "--max-connections 1", "--auth-timeout 1", "--auth-timeout 2147483647", "--max-pending-bytes 8192",
        "--max-pending-bytes 2147483647", "--port=7667"})
    void theEndsOfEachRangeAreAccepted(String line) {
        List<String> args = List.of(line.split(" "));
        assertTrue(picocli(args).isPresent(), line);
        assertEquals(picocli(args), ServerCommand.parsePlain(args), line);
    }

    @Test
    void agreesWithPicocliOnRandomArgumentVectors() {
        List<String> flags = new ArrayList<>(ServerCommand.plainFlagNames());
        flags.add("--help");
        flags.add("--nope");
        Random random = new Random(20261122);
        int accepted = 0;
        for (int round = 0; round < 3000; round++) {
            List<String> args = new ArrayList<>();
            int n = random.nextInt(6);
            for (int i = 0; i < n; i++) {
                String flag = flags.get(random.nextInt(flags.size()));
                String value = VALUES.get(random.nextInt(VALUES.size()));
                switch (random.nextInt(5)) {
                    case 0 -> args.add(flag + "=" + value);
                    case 1 -> args.add(flag);
                    default -> {
                        args.add(flag);
                        args.add(value);
                    }
                }
            }
            Optional<ServerCommand.Plain> plain = ServerCommand.parsePlain(args);
            if (plain.isPresent()) {
                accepted++;
                assertEquals(picocli(args), plain, () -> "arguments " + args);
            }
        }
        assertTrue(accepted > 300, "too few vectors read without picocli to compare: " + accepted);
    }
}

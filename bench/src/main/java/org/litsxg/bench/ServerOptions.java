package org.litsxg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * How to start the servers under test: the options every benchmark shares (a picocli mixin),
 * once instead of in every command.
 */
final class ServerOptions {
    /** The peers, as {@code --target} names them. */
    static final String ALL_TARGETS = "litsxg,ngircd,inspircd,ergo";

    @Option(names = "--jvm-opt", paramLabel = "OPTION", description = "JVM option for the Litsxg server (repeatable).")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--server-jar", paramLabel = "JAR",
            description = "The reference server's jar (default: -Dlitsxg.server.jar, else src/target/litsxg.jar beside bench/).")
    Path serverJar;

    @Option(names = "--ngircd", paramLabel = "PATH", description = "The ngircd binary (default: ${DEFAULT-VALUE}).")
    String ngircd = "/usr/sbin/ngircd";

    @Option(names = "--inspircd", paramLabel = "PATH", description = "The InspIRCd binary (default: ${DEFAULT-VALUE}).")
    String inspircd = "/usr/sbin/inspircd";

    @Option(names = "--ergo", paramLabel = "PATH", description = "The Ergo IRC server binary (default: ${DEFAULT-VALUE}).")
    String ergo = "/usr/bin/ergo";

    @Option(names = "--config-dir", paramLabel = "DIR",
            description = "Keep a copy of each server's generated configuration here (<server>.conf).")
    Path configDir;

    /** The reference server's jar. */
    Path serverJar() {
        if (serverJar != null) {
            return serverJar.toAbsolutePath();
        }
        String prop = System.getProperty("litsxg.server.jar");
        if (prop != null) {
            return Path.of(prop).toAbsolutePath();
        }
        // bench/target/litsxg-bench.jar -> src/target/litsxg.jar
        Path self = Path.of(ServerOptions.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        return self.getParent().getParent().getParent().resolve("src").resolve("target").resolve("litsxg.jar");
    }

    /**
     * The servers named in {@code targets} that can run here, in order; for each that cannot
     * (its binary is missing), one line {@code <name>: NOT RUN (<reason>)} on stdout.
     */
    List<BenchServer.Kind> available(List<String> targets, CommandSpec spec) {
        List<BenchServer.Kind> kinds = new ArrayList<>();
        for (String t : targets) {
            BenchServer.Kind kind;
            try {
                kind = BenchServer.Kind.parse(t);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            String why = kind.unavailable(this);
            if (why != null) {
                System.out.println(kind.label + ": NOT RUN (" + why + ")");
            } else {
                kinds.add(kind);
            }
        }
        return kinds;
    }

    /** Prints the Litsxg server's JVM options, if any were given. */
    void printJvmOptions() {
        if (!jvmOptions.isEmpty()) {
            System.out.println("litsxg server JVM options: " + String.join(" ", jvmOptions));
        }
    }

    /** Copies a generated configuration to {@code --config-dir}, if given. */
    void keep(String name, Path conf) throws IOException {
        if (configDir != null) {
            Files.createDirectories(configDir);
            Files.copy(conf, configDir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

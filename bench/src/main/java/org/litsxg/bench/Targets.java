package org.litsxg.bench;

import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --target}: the servers a comparing benchmark measures, in turn (a picocli mixin). */
final class Targets {
    @Option(names = "--target", split = ",", paramLabel = "NAME",
            description = "Servers, in turn (default: " + ServerOptions.ALL_TARGETS + "; those not installed are NOT RUN).")
    List<String> names = List.of(ServerOptions.ALL_TARGETS.split(","));

    /** The named servers that can run here; each that cannot is said NOT RUN on stdout. */
    List<BenchServer.Kind> available(ServerOptions servers, CommandSpec spec) {
        return servers.available(names, spec);
    }
}

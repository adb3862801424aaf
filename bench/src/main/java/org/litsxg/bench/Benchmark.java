package org.litsxg.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every benchmark command has: how to start the servers ({@link ServerOptions}) and its
 * picocli spec, for usage errors. The options some benchmarks share are mixins of
 * {@link BenchOptions}.
 */
abstract class Benchmark implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions servers = new ServerOptions();

    /** A usage error (one line on stderr, exit status {@link BenchMain#USAGE}). */
    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}

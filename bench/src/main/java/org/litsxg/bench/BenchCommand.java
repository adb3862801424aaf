package org.litsxg.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code litsxg bench <name> ...}: load commands run against real server processes. */
@Command(name = "litsxg bench", mixinStandardHelpOptions = true, version = "litsxg-bench 1.0.0",
        description = {"Benchmarks: load, scale, queues, startup, connections, soak.",
                "Run 'litsxg bench <name> --help' for one benchmark's options."},
        subcommands = {LoadBench.class, ScaleBench.class, QueuesBench.class, StartupBench.class,
                ConnectionsBench.class, SoakBench.class, HoldWorker.class})
public final class BenchCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing benchmark: load, scale, queues, startup, connections or soak");
    }
}

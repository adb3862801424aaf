package org.litsxg.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.litsxg.ExitCodes;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code litsxg bench <name> ...}: load commands run against real server processes.
 *
 * <p>The benchmarks are not picocli subcommands of this command but are looked up by name when
 * {@code bench} runs: picocli builds the model of every declared subcommand (by reflection) on
 * every start of the jar, and {@code litsxg server} should not pay for six benchmark commands
 * it never runs (it is timed: time to listening).
 */
@Command(name = "bench", description = {"Benchmarks: load, scale, queues, startup, connections, soak.",
        "Run 'litsxg bench <name> --help' for one benchmark's options."})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Unmatched
    private List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
            if (args.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "missing benchmark: load, scale, queues, startup, connections or soak");
            }
            spec.commandLine().usage(System.out);
            return ExitCodes.OK;
        }
        Callable<Integer> bench = switch (args.get(0)) {
            case "load" -> new LoadBench();
            case "scale" -> new ScaleBench();
            case "queues" -> new QueuesBench();
            case "startup" -> new StartupBench();
            case "connections" -> new ConnectionsBench();
            case "soak" -> new SoakBench();
            case "hold" -> new HoldWorker();
            default -> throw new ParameterException(spec.commandLine(), "unknown benchmark: " + args.get(0)
                    + " (load, scale, queues, startup, connections or soak)");
        };
        CommandLine sub = new CommandLine(bench);
        spec.commandLine().addSubcommand(args.get(0), sub);
        try {
            sub.parseArgs(args.subList(1, args.size()).toArray(new String[0]));
        } catch (ParameterException e) {
            throw new ParameterException(sub, e.getMessage(), e);
        }
        if (sub.isUsageHelpRequested()) {
            sub.usage(System.out);
            return ExitCodes.OK;
        }
        if (sub.isVersionHelpRequested()) {
            sub.printVersionHelp(System.out);
            return ExitCodes.OK;
        }
        return bench.call();
    }
}

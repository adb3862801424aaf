package org.litsxg.conformance.explore;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.litsxg.conformance.cli.ConformanceCommand;
import org.litsxg.conformance.support.CommandTemplate;
import org.litsxg.conformance.support.ServerInstance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code litsxg conformance explore}: model-based random testing of a build. Random actions of
 * several clients, checked against the spec's model as they happen; on a divergence, the seed,
 * the clauses and a shrunk scenario in the kit's own steps. Exit 0 no divergence, 1 divergence,
 * 2 usage error or a build that cannot be started.
 */
@Command(name = "explore", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        description = {"Model-based random testing: random actions of several clients against a build, every reply, MSG line, "
            + "close and exit status checked against an executable model of the spec as it happens.",
            "The limits are set small through the template's placeholders so that they are reached."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:no divergence", "1:a divergence (printed with its seed, clauses and a shrunk scenario)",
            "2:usage error, or the build cannot be started"})
public final class ExploreCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--server", paramLabel = "TEMPLATE", description = "Command template of the build (as for litsxg conformance). "
            + "Default: the bundled reference server.")
    private String server;

    @Option(names = "--seconds", paramLabel = "S", description = "How long to explore (default ${DEFAULT-VALUE}).", defaultValue = "60")
    private double seconds;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the random actions (default: a random one, printed).")
    private Long seed;

    @Option(names = "--clients", paramLabel = "N", description = "Client slots (default ${DEFAULT-VALUE}).", defaultValue = "4")
    private int clients;

    @Option(names = "--report", paramLabel = "DIR", description = "Write explore.json and explore.html here.")
    private Path report;

    @Option(names = "--max-queued", paramLabel = "N", defaultValue = "3", description = "{max_queued} (default ${DEFAULT-VALUE}).")
    private int maxQueued;

    @Option(names = "--max-connections", paramLabel = "N", description = "{max_connections} (default: one less than the number of clients, so it is reached).")
    private Integer maxConnections;

    @Option(names = "--auth-timeout", paramLabel = "S", defaultValue = "2", description = "{auth_timeout} (default ${DEFAULT-VALUE}).")
    private int authTimeout;

    @Option(names = "--max-pending-bytes", paramLabel = "N", defaultValue = "65536",
            description = "{max_pending_bytes} (default ${DEFAULT-VALUE}).")
    private int maxPendingBytes;

    @Option(names = "--no-restarts", description = "No SIGTERM or SIGKILL (and restart) among the actions.")
    private boolean noRestarts;

    @Option(names = "--shrink-seconds", paramLabel = "S", defaultValue = "120",
            description = "At most this long shrinking a divergence (default ${DEFAULT-VALUE}).")
    private double shrinkSeconds;

    @Option(names = "--timescale", paramLabel = "X", defaultValue = "1", description = "More time for a slow build or machine.")
    private double timescale;

    private final PrintStream out;
    private final PrintStream err;

    public ExploreCommand() {
        this(System.out, System.err);
    }

    public ExploreCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws IOException {
        if (!(seconds > 0) || clients < 1 || clients > 16 || maxQueued < 1 || authTimeout < 1 || maxPendingBytes < 1
                || !(timescale > 0) || shrinkSeconds < 0 || maxConnections != null && maxConnections < 1) {
            throw new ParameterException(spec.commandLine(), "--seconds, --timescale must be > 0; --clients 1 to 16; limits >= 1");
        }
        CommandTemplate template;
        try {
            template = CommandTemplate.parse(server != null ? server : ConformanceCommand.referenceTemplate(spec.commandLine()));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--server: " + e.getMessage());
        }
        if (!template.has("port") || !template.has("data_dir")) {
            throw new ParameterException(spec.commandLine(), "--server: the template needs {port} and {data_dir}");
        }
        long s = seed != null ? seed : new java.security.SecureRandom().nextLong() & Long.MAX_VALUE;
        Explorer.Settings settings = settings(template, clients, maxQueued, maxConnections == null ? Math.max(1, clients - 1) : maxConnections,
                authTimeout, maxPendingBytes, timescale, !noRestarts);
        out.println("litsxg conformance explore: " + template.source());
        out.printf(Locale.ROOT, "seed %d, %d clients, %.0f s; limits: max-queued %d, max-connections %d, auth-timeout %d s, "
                        + "max-pending-bytes %d%s%n", s, clients, seconds, settings.maxQueued(), settings.maxConnections(),
                settings.authTimeout(), settings.maxPendingBytes(), noRestarts ? "; no restarts" : "");
        Exploration.Result r;
        try {
            r = Exploration.explore(settings, s, seconds, shrinkSeconds, out::println);
        } catch (Explorer.StartFailure e) {
            err.println("litsxg conformance explore: the build cannot be started: " + e.getMessage());
            return 2;
        } finally {
            org.litsxg.conformance.steps.ScenarioContext.deleteTree(settings.root());
        }
        Explorer.Outcome run = r.run();
        double rate = run.executed() / Math.max(0.001, run.seconds());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("build", template.source());
        summary.put("seed", s);
        summary.put("clients", clients);
        summary.put("seconds", Math.round(run.seconds() * 10) / 10.0);
        summary.put("actions", run.executed());
        summary.put("connections", run.connections());
        summary.put("restarts", run.restarts());
        summary.put("actions_per_second", Math.round(rate * 10) / 10.0);
        summary.put("divergences", r.divergence() == null ? 0 : 1);
        summary.put("observed", run.observed());
        String figures = String.format(Locale.ROOT, "%d actions, %d connections, %d restarts in %.1f s (%.1f actions/s)",
                r.divergence() == null ? run.executed() : run.failedAt() + 1, run.connections(), run.restarts(), run.seconds(), rate);
        if (r.divergence() == null) {
            out.println("explore: 0 divergences: " + figures + " (seed " + s + ")");
            out.println("observed and accepted: " + run.observed());
            if (report != null) {
                ExploreReport.write(report, summary, null, null, null);
                out.println("report: " + report.toAbsolutePath().resolve("explore.html"));
            }
            return 0;
        }
        Divergence d = r.divergence();
        summary.put("confirmed_by_replay", r.confirmed());
        summary.put("shrink_replays", r.shrinkTries());
        out.println();
        out.println("DIVERGENCE: " + figures);
        out.println("  seed:     " + s + " (replay: --seed " + s + (server != null ? " --server '...'" : "") + " --clients " + clients + ")");
        out.println("  clauses:  " + String.join(", ", d.clauses()));
        out.println("  at:       " + d.where());
        out.println("  expected: " + d.expected());
        out.println("  actual:   " + d.actual());
        out.println("  " + (r.confirmed() ? "confirmed by replaying the recorded actions; shrunk to " + (r.shrunk().failedAt() + 1)
                + " actions in " + r.shrinkTries() + " replays" : "NOT confirmed by a replay (timing-dependent)"));
        out.println();
        out.println(r.gherkin());
        if (report != null) {
            ExploreReport.write(report, summary, d, r.gherkin(), r.shrunk());
            out.println("report: " + report.toAbsolutePath().resolve("explore.html"));
        }
        return 1;
    }

    /** Settings with the limits the template can set; the documented default for those it cannot. */
    public static Explorer.Settings settings(CommandTemplate t, int clients, int maxQueued, int maxConnections, int authTimeout,
            int maxPendingBytes, double timescale, boolean restarts) throws IOException {
        Map<String, String> d = ServerInstance.DEFAULTS;
        return new Explorer.Settings(t, clients,
                t.has("max_queued") ? maxQueued : Integer.parseInt(d.get("max_queued")),
                t.has("max_connections") ? maxConnections : Integer.parseInt(d.get("max_connections")),
                t.has("auth_timeout") ? authTimeout : Integer.parseInt(d.get("auth_timeout")),
                t.has("max_pending_bytes") ? maxPendingBytes : Integer.parseInt(d.get("max_pending_bytes")),
                timescale, Files.createTempDirectory("litsxg-explore"), true, restarts);
    }
}

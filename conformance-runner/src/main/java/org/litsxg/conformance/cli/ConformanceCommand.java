package org.litsxg.conformance.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.litsxg.conformance.launch.KitLauncher;
import org.litsxg.conformance.report.Json;
import org.litsxg.conformance.report.Outcome;
import org.litsxg.conformance.report.OutcomeReport;
import org.litsxg.conformance.report.Verdict;
import org.litsxg.conformance.support.ClauseCatalog;
import org.litsxg.conformance.support.CommandTemplate;
import org.litsxg.conformance.support.KitSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code litsxg conformance}: certifies a Litsxg build, started from a command template, against
 * the bundled features, through the same JUnit Platform launcher configuration as
 * {@code mvn verify}. Exit 0 conformant, 1 not conformant, 2 usage error or a build that cannot
 * be started at all.
 */
@Command(name = "litsxg conformance", mixinStandardHelpOptions = true, versionProvider = ConformanceCommand.Version.class,
        subcommands = {VerifyUpgradeCommand.class, MatrixCommand.class, org.litsxg.conformance.explore.ExploreCommand.class},
        sortOptions = false, usageHelpWidth = 100,
        description = {"Certify a Litsxg build against the spec's clauses.",
            "The build is started from a command template for each scenario, in a fresh data directory on a free port.",
            "Placeholders: {port} {bind} {data_dir} {max_queued} {max_connections} {auth_timeout} {max_pending_bytes} {log_level}.",
            "A scenario that needs a placeholder the template lacks is reported NOT RUN, never passed."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:conformant (every selected MUST clause passed)", "1:not conformant",
            "2:usage error, or the build cannot be started at all"})
public final class ConformanceCommand implements Callable<Integer> {
    static final int CONFORMANT = 0;
    static final int NOT_CONFORMANT = 1;
    static final int USAGE = 2;

    @Spec
    private CommandSpec spec;

    @Option(names = "--server", paramLabel = "TEMPLATE",
            description = "Command template that starts the build under test, e.g. 'python3 my/server.py --port {port} --data-dir {data_dir}'. Default: the bundled reference server.")
    private String server;

    @Option(names = "--previous-server", paramLabel = "TEMPLATE",
            description = "Command template of the build the upgrade scenarios start from (an earlier release). Default: the build under test.")
    private String previousServer;

    @Option(names = "--address", paramLabel = "HOST:PORT",
            description = {"External mode: certify the server already running at HOST:PORT (with the documented default limits).",
                "Each scenario speaks as names of its own; scenarios that must start, stop or configure a server, or read its files or output, "
                + "run on a local server from --server when given, else are reported NOT RUN."})
    private String address;

    @Option(names = "--socks", paramLabel = "HOST:PORT", description = "With --onion: reach the server through this SOCKS5 proxy (Tor's SocksPort).")
    private String socks;

    @Option(names = "--onion", paramLabel = "ADDR.onion:PORT",
            description = "External mode through --socks: certify the server published at this onion address (the proxy resolves it).")
    private String onion;

    @CommandLine.Mixin
    private SuiteOptions suite = new SuiteOptions();

    @Option(names = "--dry-run", description = "List the selected scenarios with their clauses; run nothing.")
    private boolean dryRun;

    @Option(names = "--strict", description = "SHOULD clauses that fail (NON-STRICT), and testable clauses not run, fail the run.")
    private boolean strict;

    @Option(names = "--fail-on-skip", description = "A testable clause that could not be run on this build fails the run.")
    private boolean failOnSkip;

    @Option(names = "--baseline", paramLabel = "FILE",
            description = "Expected failures: one clause id a line (# comments). Listed failures do not fail the run; a listed clause that passes does (stale entry).")
    private Path baselineFile;

    @Option(names = "--report", paramLabel = "DIR",
            description = "Write reports here: report.html, junit.xml, messages.ndjson, outcomes.json, index.json.")
    private Path reportDir;

    private final PrintStream out;
    private final PrintStream err;

    public ConformanceCommand() {
        this(System.out, System.err);
    }

    public ConformanceCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** The kit's version, from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"litsxg conformance kit " + BuildIdentity.currentKitVersion() + ", spec "
                    + ClauseCatalog.version()};
        }
    }

    @Override
    public Integer call() throws IOException {
        ClauseCatalog catalog = ClauseCatalog.bundled();
        org.litsxg.conformance.support.RemoteTarget remote = remote();
        // External mode without --server starts no build: its @process scenarios are NOT RUN.
        String template = server != null ? server : remote != null ? null : referenceTemplate(spec.commandLine());
        CommandTemplate parsed = null;
        if (template != null) {
            try {
                parsed = CommandTemplate.parse(template);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--server: " + e.getMessage());
            }
        }
        suite.check(spec.commandLine());
        String selection = suite.selection(catalog, spec.commandLine());
        Baseline baseline = readBaseline(catalog);
        if (dryRun) {
            return list(selection);
        }
        BuildIdentity identity = parsed != null ? BuildIdentity.of(template, parsed.render(placeholderNames(parsed)))
                : BuildIdentity.of("", List.of());
        if (remote != null) {
            identity = identity.external(remote.toString());
            Optional<String> unreachable = Preflight.reach(remote, suite.startup());
            if (unreachable.isPresent()) {
                err.println("litsxg conformance: the server under test cannot be reached: " + unreachable.get());
                return USAGE;
            }
        }
        if (parsed != null) {
            Optional<String> cannotStart = Preflight.check(parsed, suite.startup());
            if (cannotStart.isPresent()) {
                err.println("litsxg conformance: the build cannot be started: " + cannotStart.get());
                return USAGE;
            }
        }
        KitSettings settings = template != null ? KitSettings.forServer(template) : KitSettings.from(key -> Optional.empty());
        if (previousServer != null) {
            try {
                settings = settings.withPreviousServer(previousServer);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--previous-server: " + e.getMessage());
            }
        }
        return execute(baseline, selection, identity, settings, template != null ? template : remote.toString(), remote);
    }

    /** The server under test given by --address, or --socks with --onion; null when the kit starts it. */
    private org.litsxg.conformance.support.RemoteTarget remote() {
        if (address != null && (onion != null || socks != null)) {
            throw new ParameterException(spec.commandLine(), "--address excludes --socks and --onion (give the onion service's address with --onion)");
        }
        if ((socks == null) != (onion == null)) {
            throw new ParameterException(spec.commandLine(), "--socks and --onion go together");
        }
        try {
            if (address != null) {
                return org.litsxg.conformance.support.RemoteTarget.direct(address);
            }
            if (onion != null) {
                return org.litsxg.conformance.support.RemoteTarget.viaSocks(onion, socks);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return null;
    }

    private Baseline readBaseline(ClauseCatalog catalog) {
        if (baselineFile == null) {
            return Baseline.empty();
        }
        try {
            return Baseline.read(baselineFile, catalog);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--baseline: cannot read " + baselineFile + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--baseline: " + e.getMessage());
        }
    }

    /** Runs the selected scenarios and reports; {@code settings} names the build. */
    private int execute(Baseline baseline, String selection, BuildIdentity identity, KitSettings settings,
            String what, org.litsxg.conformance.support.RemoteTarget remote) throws IOException {
        Path outDir = reportDir != null ? Files.createDirectories(reportDir) : Files.createTempDirectory("litsxg-conformance");
        KitLauncher.Run run = KitLauncher.Run.of(settings, outDir)
                .withTags(selection)
                .withParallelism(suite.parallel)
                .withSettings(s -> {
                    KitSettings t = s.withTimescale(suite.timescale).withStartupTimeout(Duration.ofSeconds(suite.startupTimeout));
                    return remote == null ? t : t.withRemote(remote, server != null);
                })
                .withVerdict(new Verdict.Policy(strict, failOnSkip), baseline.ids())
                .withProgress(out)
                .withPlugins(List.of("junit:" + outDir.resolve("junit.xml"), "message:" + outDir.resolve("messages.ndjson")));
        out.println("litsxg conformance: " + what);
        out.println("judged against spec " + identity.specVersion() + " (kit " + identity.kitVersion() + ")");
        if (remote != null) {
            out.println("external mode: scenarios speak to " + remote + (server != null
                    ? "; scenarios tagged " + org.litsxg.conformance.steps.ScenarioContext.PROCESS_TAG + " run on local servers from --server"
                    : "; scenarios tagged " + org.litsxg.conformance.steps.ScenarioContext.PROCESS_TAG + " are NOT RUN (no --server)"));
        }
        KitLauncher.Result result = KitLauncher.run(run);
        Verdict verdict = result.verdict();
        out.println();
        out.println(result.summary());
        printDetails(result.report(), verdict);
        if (reportDir != null) {
            writeReports(outDir, result, identity);
            out.println("reports: " + outDir.toAbsolutePath().resolve("report.html"));
        }
        return verdict.conformant() ? CONFORMANT : NOT_CONFORMANT;
    }

    /** The bundled reference server, from the launcher's property or next to this jar in the repository. */
    public static String referenceTemplate(CommandLine cl) {
        String jar = System.getProperty(KitSettings.REFERENCE_JAR);
        if (jar == null) {
            Path here = Path.of(ConformanceCommand.class.getProtectionDomain().getCodeSource().getLocation().getPath());
            jar = here.getParent().resolve("../../src/target/litsxg.jar").normalize().toString();
        }
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new ParameterException(cl,
                    "no --server given and the reference server jar is missing: " + jar + " (build it: mvn -DskipTests package)");
        }
        String cds = System.getProperty(KitSettings.REFERENCE_CDS);
        if (cds == null) {
            // One warm-up start writes a class-data archive that every scenario's server JVM maps,
            // as in mvn verify; any trouble just leaves it out.
            Path archive = Path.of(jar).toAbsolutePath().getParent().resolve("litsxg-reference.jsa");
            if (org.litsxg.conformance.launch.ReferenceWarmup.archive(Path.of(jar), archive)) {
                cds = archive.toString();
            }
        }
        return KitSettings.referenceTemplate(jar, cds);
    }

    private int list(String selection) {
        List<KitLauncher.Scenario> selected = KitLauncher.scenarios(List.of("features"), selection);
        for (KitLauncher.Scenario sc : selected) {
            out.printf(Locale.ROOT, "%-28s %-30s %s%n", String.join(" ", sc.tags()), sc.location(), sc.name());
        }
        out.println(selected.size() + " scenarios selected");
        return selected.isEmpty() ? USAGE : CONFORMANT;
    }

    private void printDetails(OutcomeReport report, Verdict verdict) {
        String area = null;
        for (OutcomeReport.ClauseResult c : report.clauses()) {
            boolean show = c.outcome() == Outcome.FAILED || c.outcome() == Outcome.NON_STRICT
                    || verdict.stale().contains(c.id()) || verdict.missing().contains(c.id());
            if (!show) {
                continue;
            }
            if (!c.area().equals(area)) {
                area = c.area();
                out.println();
                out.println("== " + area);
            }
            String tag = verdict.stale().contains(c.id()) ? "STALE BASELINE ENTRY (now passes)"
                    : verdict.expectedFailures().contains(c.id()) ? c.outcome().label() + " (expected by the baseline)"
                    : c.outcome().label();
            out.println(c.id() + " (" + c.level() + ") " + tag + ": " + c.summary());
            if (c.reason() != null && !verdict.stale().contains(c.id())) {
                c.reason().lines().forEach(l -> out.println("    " + l));
            }
            if (c.scenarios() != null) {
                c.scenarios().forEach(s -> out.println("    - " + s));
            }
        }
    }

    private void writeReports(Path dir, KitLauncher.Result result, BuildIdentity identity) throws IOException {
        Verdict verdict = result.verdict();
        HtmlReport.write(dir.resolve("report.html"), result.report(), verdict, result.summary(), identity,
                result.attachments());
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("summary", result.summary());
        index.put("build", identity.toMap());
        index.put("strict", strict);
        index.put("baseline", Map.of("expected_failures", verdict.expectedFailures(), "stale", verdict.stale(),
                "new_failures", verdict.newFailures(), "not_run_failing", verdict.missing()));
        index.put("files", List.of("report.html", "junit.xml", "messages.ndjson", "outcomes.json"));
        Files.writeString(dir.resolve("index.json"), Json.write(index));
    }

    static Map<String, String> placeholderNames(CommandTemplate t) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String p : CommandTemplate.KNOWN_PLACEHOLDERS) {
            m.put(p, "{" + p + "}");
        }
        return m;
    }

    /** Runs the command line with the kit's error conventions (one line on stderr, exit 2). */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        CommandLine cmd = new CommandLine(new ConformanceCommand(out, err));
        cmd.setOut(new java.io.PrintWriter(out, true));
        cmd.setErr(new java.io.PrintWriter(err, true));
        cmd.setParameterExceptionHandler((ex, argv) -> {
            err.println("litsxg conformance: " + ex.getMessage().replace('\n', ' '));
            return USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            err.println("litsxg conformance: " + String.valueOf(ex.getMessage()).replace('\n', ' '));
            return USAGE;
        });
        return cmd.execute(args);
    }

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }
}

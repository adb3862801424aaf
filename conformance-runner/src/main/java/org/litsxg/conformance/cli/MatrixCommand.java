package org.litsxg.conformance.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.litsxg.conformance.launch.KitLauncher;
import org.litsxg.conformance.report.OutcomeReport;
import org.litsxg.conformance.report.Verdict;
import org.litsxg.conformance.support.ClauseCatalog;
import org.litsxg.conformance.support.CommandTemplate;
import org.litsxg.conformance.support.SpecVersion;
import org.litsxg.conformance.upgrade.SuiteRun;
import org.litsxg.conformance.upgrade.TranscriptKeeper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code litsxg conformance matrix --build NAME=TEMPLATE ...}: the suite run on several builds,
 * one after another, and one page (matrix.html, matrix.json) with the clauses as rows and the
 * builds as columns, a verdict per build, and, for the scenarios that pass on a build and on
 * the reference, the behaviour diff of verify-upgrade ({@link MatrixDiff}): "same" or the
 * normalised lines that differ. A build that cannot start is a column of NOT RUN with the
 * reason. Exit 0 when every build is conformant, 1 when one is not (or could not run), 2 for a
 * usage error.
 */
@Command(name = "matrix", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        description = {"Run the suite on several builds and put them side by side: clauses as rows, builds as columns.",
            "The bundled reference server is a column of its own, named 'reference' (a --build named reference replaces it).",
            "For scenarios that pass on a build and on the reference, the page shows whether their normalised wire transcripts are the same, or the lines that differ.",
            "Builds run one after another; a build that cannot start is a column of NOT RUN with the reason."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:every build conformant", "1:a build not conformant, or one that could not be run",
            "2:usage error"})
public final class MatrixCommand implements Callable<Integer> {
    static final int ALL_CONFORMANT = 0;
    static final int NOT_ALL_CONFORMANT = 1;
    static final String NAME = "litsxg conformance matrix";
    /** The column of the bundled reference server, and the one every diff is against. */
    static final String REFERENCE = "reference";
    /** Names become directory names and HTML attributes: a short, plain word. */
    private static final Pattern BUILD_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");

    @Spec
    private CommandSpec spec;

    @Option(names = "--build", paramLabel = "NAME=TEMPLATE",
            description = {"A build to run, by a name of your choice and its command template (as --server of the runner); repeatable.",
                "Example: --build python='python3 litsxg.py --port {port} --data-dir {data_dir}'"})
    private List<String> builds = new ArrayList<>();

    @CommandLine.Mixin
    private SuiteOptions suite = new SuiteOptions();

    @Option(names = "--report", paramLabel = "DIR",
            description = "Write the page here: matrix.html, matrix.json, and builds/NAME/ (report.html, outcomes.json, transcripts.json, junit.xml, messages.ndjson). Default: a new temporary directory.")
    private Path reportDir;

    /** One build as given: its column name and command template. */
    record Build(String name, String template) {
    }

    /**
     * One build's column: what ran and what came of it. {@code notRun} is the reason when the
     * build could not be run (then {@code report} and {@code run} are null).
     */
    record Column(String name, String template, BuildIdentity identity, String notRun, OutcomeReport report,
            boolean conformant, String summary, SuiteRun run) {

        String verdict() {
            return notRun != null ? "NOT RUN" : conformant ? "conformant" : "NOT CONFORMANT";
        }

        /** The column's files, relative to the page. */
        String dir() {
            return "builds/" + name;
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        CommandLine cl = spec.commandLine();
        List<Build> wanted = parseBuilds(cl);
        suite.check(cl);
        ClauseCatalog catalog = ClauseCatalog.bundled();
        String selection = suite.selection(catalog, cl);
        if (wanted.stream().noneMatch(b -> b.name().equals(REFERENCE))) {
            wanted.add(0, new Build(REFERENCE, ConformanceCommand.referenceTemplate(cl)));
        } else {
            // The column every diff is against comes first.
            Build ref = wanted.stream().filter(b -> b.name().equals(REFERENCE)).findFirst().orElseThrow();
            wanted.remove(ref);
            wanted.add(0, ref);
        }
        Path dir = reportDir != null ? Files.createDirectories(reportDir) : Files.createTempDirectory("litsxg-matrix");
        String specVersion = SpecVersion.bundled();
        out.println(NAME + ": " + wanted.size() + " builds, spec " + specVersion
                + (selection == null ? ", every scenario" : ", scenarios " + selection));
        out.flush();
        long t0 = System.nanoTime();
        List<Column> columns = new ArrayList<>();
        for (Build b : wanted) {
            columns.add(runOne(b, selection, dir, out));
        }
        MatrixDiff diff = MatrixDiff.of(columns.get(0), columns.subList(1, columns.size()));
        double seconds = (System.nanoTime() - t0) / 1e9;
        long conformant = columns.stream().filter(c -> c.notRun() == null && c.conformant()).count();
        boolean all = conformant == columns.size();
        String summary = String.format(Locale.ROOT, "%s: %d of %d builds conformant%s (%.1f s)",
                all ? "every build conformant" : "NOT EVERY BUILD CONFORMANT", conformant, columns.size(),
                all ? "" : " [" + String.join(", ", columns.stream().filter(c -> !(c.notRun() == null && c.conformant()))
                        .map(c -> c.name() + " " + c.verdict()).toList()) + "]",
                seconds);
        MatrixPage.write(dir, summary, specVersion, selection, columns, diff);
        out.println();
        for (Column c : columns) {
            out.printf(Locale.ROOT, "  %-16s %s%n", c.name(), c.notRun() != null ? "NOT RUN: " + c.notRun() : c.summary());
            if (c != columns.get(0) && c.notRun() == null && columns.get(0).notRun() == null) {
                out.printf(Locale.ROOT, "  %-16s behaviour vs %s: %s%n", "", columns.get(0).name(), diff.countsLine(c.name()));
            }
        }
        out.println(summary);
        out.println("reports: " + dir.toAbsolutePath().resolve(MatrixPage.HTML));
        out.flush();
        return all ? ALL_CONFORMANT : NOT_ALL_CONFORMANT;
    }

    private List<Build> parseBuilds(CommandLine cl) {
        List<Build> out = new ArrayList<>();
        for (String b : builds) {
            int eq = b.indexOf('=');
            if (eq < 0) {
                throw new ParameterException(cl, "--build: expected NAME=TEMPLATE, got '" + b + "'");
            }
            String name = b.substring(0, eq).strip();
            String template = b.substring(eq + 1).strip();
            if (!BUILD_NAME.matcher(name).matches()) {
                throw new ParameterException(cl, "--build: the name '" + name
                        + "' must be 1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
            if (out.stream().anyMatch(x -> x.name().equals(name))) {
                throw new ParameterException(cl, "--build: the name '" + name + "' is given twice");
            }
            try {
                CommandTemplate.parse(template);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, "--build " + name + ": " + e.getMessage());
            }
            out.add(new Build(name, template));
        }
        return out;
    }

    /** Runs the suite on one build; a build that cannot start or run is a NOT RUN column. Blocks for the run. */
    private Column runOne(Build b, String selection, Path dir, PrintWriter out) throws IOException {
        CommandTemplate parsed = CommandTemplate.parse(b.template());
        BuildIdentity identity = BuildIdentity.of(b.template(), parsed.render(ConformanceCommand.placeholderNames(parsed)));
        Path bdir = Files.createDirectories(dir.resolve("builds").resolve(b.name()));
        String prefix = "[" + b.name() + "] ";
        out.println();
        out.println(prefix + b.template());
        out.flush();
        Optional<String> cannot = Preflight.check(parsed, suite.startup());
        if (cannot.isPresent()) {
            String why = "the build cannot be started: " + cannot.get();
            out.println(prefix + "NOT RUN: " + why);
            out.flush();
            Files.writeString(bdir.resolve("not-run.txt"), why + "\n");
            return new Column(b.name(), b.template(), identity, why, null, false, null, null);
        }
        PrintStream progress = prefixed(out, prefix);
        KitLauncher.Run run = KitLauncher.Run.of(b.template(), bdir)
                .withTags(selection)
                .withParallelism(suite.parallel)
                .withSettings(s -> s.withTimescale(suite.timescale)
                        .withStartupTimeout(Duration.ofSeconds(suite.startupTimeout))
                        // Every scenario's transcripts, passed ones too, for the behaviour diff.
                        .withKeepEvidence(true))
                .withProgress(progress)
                .withPlugins(List.of(TranscriptKeeper.class.getName() + ":" + bdir,
                        "junit:" + bdir.resolve("junit.xml"), "message:" + bdir.resolve("messages.ndjson")));
        KitLauncher.Result result;
        try {
            result = KitLauncher.run(run);
        } catch (IOException | RuntimeException e) {
            String why = "the run produced no outcomes: " + e.getMessage();
            out.println(prefix + "NOT RUN: " + why);
            Files.writeString(bdir.resolve("not-run.txt"), why + "\n");
            return new Column(b.name(), b.template(), identity, why, null, false, null, null);
        } finally {
            progress.flush();
        }
        double seconds = result.seconds();
        OutcomeReport report = result.report();
        Verdict verdict = result.verdict();
        String summary = result.summary();
        HtmlReport.write(bdir.resolve("report.html"), report, verdict, summary, identity, result.attachments());
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("summary", summary);
        index.put("build", identity.toMap());
        index.put("files", List.of("report.html", "junit.xml", "messages.ndjson", "outcomes.json", TranscriptKeeper.FILE));
        Files.writeString(bdir.resolve("index.json"), org.litsxg.conformance.report.Json.write(index));
        out.println(prefix + summary);
        out.flush();
        SuiteRun suiteRun = new SuiteRun(report, TranscriptKeeper.read(bdir), seconds, bdir, false);
        return new Column(b.name(), b.template(), identity, null, report, verdict.conformant(), summary, suiteRun);
    }

    /** A stream that writes each whole line to {@code out} with {@code prefix} in front. */
    static PrintStream prefixed(PrintWriter out, String prefix) {
        OutputStream lines = new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                if (b == '\n') {
                    out.println(prefix + line.toString(StandardCharsets.UTF_8));
                    out.flush();
                    line.reset();
                } else {
                    line.write(b);
                }
            }

            @Override
            public synchronized void flush() {
                if (line.size() > 0) {
                    write('\n');
                }
                out.flush();
            }
        };
        return new PrintStream(lines, false, StandardCharsets.UTF_8);
    }
}

package org.litsxg.conformance.launch;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClasspathResource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import io.cucumber.tagexpressions.Expression;
import io.cucumber.tagexpressions.TagExpressionParser;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.support.descriptor.ClasspathResourceSource;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.litsxg.conformance.report.KitRun;
import org.litsxg.conformance.report.OutcomePlugin;
import org.litsxg.conformance.report.OutcomeReport;
import org.litsxg.conformance.report.Verdict;
import org.litsxg.conformance.support.KitSettings;

/**
 * Runs the bundled features against a build through the JUnit Platform Launcher, the same
 * way {@code mvn verify} runs them, and returns the outcome report. Used by the kit's own
 * tests and by the command-line runner.
 *
 * <p>The run's settings travel as an object: the launcher opens a {@link KitRun} with them,
 * names it in the {@link OutcomePlugin}'s argument, and the plugin hands them to each
 * scenario's context and the report back to the run, in memory. Nothing goes through system
 * properties, so runs need no lock: several may go on at once in one JVM.
 */
public final class KitLauncher {

    /** The package holding the step definitions and hooks. */
    public static final String GLUE = "org.litsxg.conformance.steps";

    /** A feature resource with a line: {@code features/wire.feature:40}. */
    private static final java.util.regex.Pattern SCENARIO_AT = java.util.regex.Pattern.compile("(.+\\.feature):(\\d+)");

    /**
     * What to run.
     *
     * @param settings     the kit's settings for the run's scenarios
     * @param features     class-path resources to run ({@code features} for all,
     *                     {@code features/wire.feature} for one file,
     *                     {@code features/wire.feature:40} for the scenario or example row on that line,
     *                     {@code file:/abs/path.feature} for a feature file outside the kit)
     * @param tags         a Cucumber tag expression, or null for every scenario
     * @param outputDir    where {@code outcomes.json} (and any extra plugin output) goes
     * @param parallelism  scenarios run at once (1 = sequential)
     * @param extraPlugins further Cucumber plugins ({@code html:dir/report.html}, ...)
     * @param policy       how the verdict is judged
     * @param expectedFailures clauses that may fail without failing the run (a baseline)
     * @param progress     where a line per finished scenario goes, or null for none
     */
    public record Run(KitSettings settings, List<String> features, String tags, Path outputDir,
            int parallelism, List<String> extraPlugins, Verdict.Policy policy, Set<String> expectedFailures,
            PrintStream progress) {

        public Run {
            features = List.copyOf(features);
            extraPlugins = List.copyOf(extraPlugins);
            expectedFailures = Set.copyOf(expectedFailures);
        }

        /** Every feature against the build started by {@code serverTemplate}. */
        public static Run of(String serverTemplate, Path outputDir) {
            return of(KitSettings.forServer(serverTemplate), outputDir);
        }

        /** Every feature with {@code settings}, three at a time, judged by the default policy. */
        public static Run of(KitSettings settings, Path outputDir) {
            return new Run(settings, List.of("features"), null, outputDir, 3, List.of(), Verdict.Policy.DEFAULT,
                    Set.of(), null);
        }

        public Run withOutputDir(Path dir) {
            return new Run(settings, features, tags, dir, parallelism, extraPlugins, policy, expectedFailures, progress);
        }

        public Run withTags(String expression) {
            return new Run(settings, features, expression, outputDir, parallelism, extraPlugins, policy,
                    expectedFailures, progress);
        }

        public Run withFeatures(List<String> resources) {
            return new Run(settings, resources, tags, outputDir, parallelism, extraPlugins, policy, expectedFailures,
                    progress);
        }

        public Run withParallelism(int n) {
            return new Run(settings, features, tags, outputDir, n, extraPlugins, policy, expectedFailures, progress);
        }

        /** The run with its settings changed by {@code change}. */
        public Run withSettings(UnaryOperator<KitSettings> change) {
            return new Run(change.apply(settings), features, tags, outputDir, parallelism, extraPlugins, policy,
                    expectedFailures, progress);
        }

        public Run withPlugins(List<String> plugins) {
            return new Run(settings, features, tags, outputDir, parallelism, plugins, policy, expectedFailures,
                    progress);
        }

        /** The run judged under {@code p}, the clauses in {@code expected} allowed to fail. */
        public Run withVerdict(Verdict.Policy p, Set<String> expected) {
            return new Run(settings, features, tags, outputDir, parallelism, extraPlugins, p, expected, progress);
        }

        /** The run printing a line per finished scenario on {@code out}. */
        public Run withProgress(PrintStream out) {
            return new Run(settings, features, tags, outputDir, parallelism, extraPlugins, policy, expectedFailures,
                    out);
        }
    }

    /**
     * What a run produced.
     *
     * @param summary     the verdict's summary line, with the run's wall time (as in {@code outcomes.json})
     * @param seconds     the run's wall time
     * @param attachments the text attachments of each scenario, by location ({@code features/x.feature:12})
     */
    public record Result(OutcomeReport report, Verdict verdict, String summary, double seconds,
            Function<String, List<KitRun.Attachment>> attachments) {
    }

    private KitLauncher() {
    }

    /** The configuration parameters a run passes to the Cucumber engine; {@code plugin} is its OutcomePlugin's argument. */
    static Map<String, String> configuration(Run run, String plugin) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("cucumber.glue", GLUE);
        List<String> plugins = new ArrayList<>(run.extraPlugins());
        plugins.add(OutcomePlugin.class.getName() + ":" + plugin);
        config.put("cucumber.plugin", String.join(", ", plugins));
        config.put("cucumber.publish.quiet", "true");
        config.put("cucumber.junit-platform.naming-strategy", "long");
        if (run.tags() != null && !run.tags().isBlank()) {
            config.put("cucumber.filter.tags", run.tags());
        }
        boolean parallel = run.parallelism() > 1;
        config.put("cucumber.execution.parallel.enabled", Boolean.toString(parallel));
        if (parallel) {
            config.put("cucumber.execution.parallel.config.strategy", "fixed");
            config.put("cucumber.execution.parallel.config.fixed.parallelism", Integer.toString(run.parallelism()));
            config.put("cucumber.execution.parallel.config.fixed.max-pool-size", Integer.toString(run.parallelism()));
        }
        return config;
    }

    /**
     * Runs the features and returns what the run produced, {@code outcomes.json} written as well.
     * Blocks until the run is over.
     *
     * @throws IOException when the run produced no outcome report
     */
    public static Result run(Run run) throws IOException {
        List<DiscoverySelector> selectors = selectors(run.features());
        Path outcomes = run.outputDir().resolve(OutcomePlugin.FILE);
        java.nio.file.Files.deleteIfExists(outcomes);
        try (KitRun kitRun = KitRun.open(run.settings(), run.policy(), run.expectedFailures(), outcomes,
                run.progress())) {
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectors)
                    .filters(EngineFilter.includeEngines("cucumber"))
                    .configurationParameters(configuration(run, kitRun.argument()))
                    .build();
            Launcher launcher = LauncherFactory.create();
            launcher.execute(request);
            KitRun.Outcomes done = kitRun.outcomes()
                    .orElseThrow(() -> new IOException("the run produced no outcome report (" + outcomes + ")"));
            return new Result(done.report(), done.verdict(), done.summary(), done.seconds(), kitRun::attachments);
        }
    }

    /** One scenario (or example row) as discovery finds it: its tags, {@code features/x.feature:12}, its name. */
    public record Scenario(List<String> tags, String location, String name) {
    }

    /**
     * The scenarios a run of {@code features} filtered by {@code tags} (a Cucumber tag
     * expression, or null) would run; runs nothing.
     */
    public static List<Scenario> scenarios(List<String> features, String tags) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectors(features))
                .filters(EngineFilter.includeEngines("cucumber"))
                .configurationParameters(Map.of("cucumber.glue", GLUE))
                .build();
        TestPlan plan = LauncherFactory.create().discover(request);
        Expression filter = tags == null || tags.isBlank() ? null : TagExpressionParser.parse(tags);
        List<Scenario> out = new ArrayList<>();
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier id : plan.getDescendants(root)) {
                List<String> t = id.getTags().stream().map(x -> "@" + x.getName()).toList();
                if (!id.isTest() || filter != null && !filter.evaluate(t)) {
                    continue;
                }
                String location = id.getSource().filter(ClasspathResourceSource.class::isInstance)
                        .map(ClasspathResourceSource.class::cast)
                        .map(c -> c.getClasspathResourceName() + c.getPosition().map(p -> ":" + p.getLine()).orElse(""))
                        .orElse("");
                out.add(new Scenario(t, location, id.getDisplayName()));
            }
        }
        return out;
    }

    /** The discovery selectors of {@link Run#features()}. */
    private static List<DiscoverySelector> selectors(List<String> features) {
        List<DiscoverySelector> selectors = new ArrayList<>();
        for (String f : features) {
            java.util.regex.Matcher at = SCENARIO_AT.matcher(f);
            if (f.startsWith("file:")) {
                // A feature file outside the kit (explore's shrunk scenarios).
                selectors.add(org.junit.platform.engine.discovery.DiscoverySelectors.selectFile(f.substring(5)));
            } else if (at.matches()) {
                // One scenario (or one example row of an outline) by its line.
                selectors.add(selectClasspathResource(at.group(1),
                        org.junit.platform.engine.discovery.FilePosition.from(Integer.parseInt(at.group(2)))));
            } else {
                selectors.add(f.endsWith(".feature") ? selectClasspathResource(f)
                        : org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage(f.replace('/', '.')));
            }
        }
        return selectors;
    }
}

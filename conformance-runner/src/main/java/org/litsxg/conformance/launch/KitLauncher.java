package org.litsxg.conformance.launch;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClasspathResource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.litsxg.conformance.report.OutcomePlugin;
import org.litsxg.conformance.report.OutcomeReport;
import org.litsxg.conformance.support.KitSettings;

/**
 * Runs the bundled features against a build through the JUnit Platform Launcher, the same
 * way {@code mvn verify} runs them, and returns the outcome report. Used by the kit's own
 * tests and by the command-line runner.
 *
 * <p>The step definitions read the kit's settings ({@code litsxg.server},
 * {@code litsxg.timescale}, ...) from JVM system properties, so a run sets them for its
 * duration and restores them after. Runs are therefore serialized: {@link #run} blocks while
 * another run is in progress in this JVM, and then for as long as the features take.
 */
public final class KitLauncher {

    /** The package holding the step definitions and hooks. */
    public static final String GLUE = "org.litsxg.conformance.steps";

    private static final ReentrantLock ONE_RUN_AT_A_TIME = new ReentrantLock();

    /** A feature resource with a line: {@code features/wire.feature:40}. */
    private static final java.util.regex.Pattern SCENARIO_AT = java.util.regex.Pattern.compile("(.+\\.feature):(\\d+)");

    /**
     * What to run.
     *
     * @param settings     kit settings ({@code litsxg.*} keys) for the run
     * @param features     class-path resources to run ({@code features} for all,
     *                     {@code features/wire.feature} for one file,
     *                     {@code features/wire.feature:40} for the scenario or example row on that line,
     *                     {@code file:/abs/path.feature} for a feature file outside the kit)
     * @param tags         a Cucumber tag expression, or null for every scenario
     * @param outputDir    where {@code outcomes.json} (and any extra plugin output) goes
     * @param parallelism  scenarios run at once (1 = sequential)
     * @param extraPlugins further Cucumber plugins ({@code html:dir/report.html}, ...)
     */
    public record Run(Map<String, String> settings, List<String> features, String tags, Path outputDir,
            int parallelism, List<String> extraPlugins) {

        public Run {
            settings = Map.copyOf(settings);
            features = List.copyOf(features);
            extraPlugins = List.copyOf(extraPlugins);
        }

        /** Every feature against the build started by {@code serverTemplate}. */
        public static Run of(String serverTemplate, Path outputDir) {
            return new Run(Map.of(KitSettings.SERVER, serverTemplate), List.of("features"), null, outputDir, 3,
                    List.of());
        }

        /** Every feature against a server the kit does not start (its address is a further setting). */
        public static Run external(Path outputDir) {
            return new Run(Map.of(), List.of("features"), null, outputDir, 3, List.of());
        }

        public Run withOutputDir(Path dir) {
            return new Run(settings, features, tags, dir, parallelism, extraPlugins);
        }

        public Run withTags(String expression) {
            return new Run(settings, features, expression, outputDir, parallelism, extraPlugins);
        }

        public Run withFeatures(List<String> resources) {
            return new Run(settings, resources, tags, outputDir, parallelism, extraPlugins);
        }

        public Run withParallelism(int n) {
            return new Run(settings, features, tags, outputDir, n, extraPlugins);
        }

        public Run withSetting(String key, String value) {
            Map<String, String> s = new HashMap<>(settings);
            s.put(key, value);
            return new Run(s, features, tags, outputDir, parallelism, extraPlugins);
        }

        public Run withPlugins(List<String> plugins) {
            return new Run(settings, features, tags, outputDir, parallelism, plugins);
        }
    }

    /** What a run produced. */
    public record Result(OutcomeReport report, SummaryGeneratingListener junit) {
    }

    private KitLauncher() {
    }

    /** The configuration parameters a run passes to the Cucumber engine. */
    public static Map<String, String> configuration(Run run) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("cucumber.glue", GLUE);
        List<String> plugins = new ArrayList<>(run.extraPlugins());
        plugins.add(OutcomePlugin.class.getName() + ":" + run.outputDir());
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
     * Runs the features and reads back the outcome report. Blocks until the run is over.
     *
     * @throws IOException when the outcome report cannot be read (the run produced none)
     */
    public static Result run(Run run) throws IOException {
        ONE_RUN_AT_A_TIME.lock();
        Map<String, String> saved = new HashMap<>();
        try {
            for (Map.Entry<String, String> e : run.settings().entrySet()) {
                saved.put(e.getKey(), System.getProperty(e.getKey()));
                System.setProperty(e.getKey(), e.getValue());
            }
            List<DiscoverySelector> selectors = new ArrayList<>();
            for (String f : run.features()) {
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
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectors)
                    .filters(EngineFilter.includeEngines("cucumber"))
                    .configurationParameters(configuration(run))
                    .build();
            java.nio.file.Files.deleteIfExists(run.outputDir().resolve(OutcomePlugin.FILE));
            Launcher launcher = LauncherFactory.create();
            SummaryGeneratingListener summary = new SummaryGeneratingListener();
            launcher.execute(request, summary);
            OutcomeReport report = OutcomeReport.read(run.outputDir().resolve(OutcomePlugin.FILE));
            return new Result(report, summary);
        } finally {
            for (Map.Entry<String, String> e : saved.entrySet()) {
                if (e.getValue() == null) {
                    System.clearProperty(e.getKey());
                } else {
                    System.setProperty(e.getKey(), e.getValue());
                }
            }
            ONE_RUN_AT_A_TIME.unlock();
        }
    }
}

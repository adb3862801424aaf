package org.litsxg.conformance.report;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.litsxg.conformance.support.KitSettings;

/**
 * One run of the features, as its scenarios and its {@link OutcomePlugin} see it: the settings
 * the scenarios use, how the run is judged, and, once it is over, what it produced.
 *
 * <p>Cucumber creates the plugins and the step classes itself, from class names, so a run
 * reaches them through two keys, and only these: {@link org.litsxg.conformance.launch.KitLauncher}
 * {@linkplain #open opens} a run under a fresh id and names that id in the plugin's argument
 * ({@code OutcomePlugin:run:<id>}); the plugin binds every test case to its run as the test case
 * starts; the glue's first hook finds the run of its scenario by the scenario's id
 * ({@link #ofScenario}; Cucumber gives the scenario and the test case the same id) and hands its
 * settings to the scenario's context. So runs are independent, and several may go on at once in
 * one JVM. Under {@code mvn verify}'s suite (ReferenceConformanceTest) no launcher opens a run:
 * the plugin makes one from system properties ({@link #fromEnvironment}).
 */
public final class KitRun implements AutoCloseable {

    /** The prefix of the plugin argument that names an open run. */
    public static final String ARGUMENT_PREFIX = "run:";

    private static final Map<String, KitRun> OPEN = new ConcurrentHashMap<>();
    private static final Map<String, KitRun> BY_SCENARIO = new ConcurrentHashMap<>();

    /** A text attachment of a scenario (wire transcript, server output): its name and text. */
    public record Attachment(String name, String text) {
    }

    /** What the run produced: the report, its verdict, the summary line of both, and the run's wall time. */
    public record Outcomes(OutcomeReport report, Verdict verdict, String summary, double seconds) {
    }

    private final String id;
    private final KitSettings settings;
    private final Verdict.Policy policy;
    private final Set<String> expectedFailures;
    private final Path outcomesFile;
    private final PrintStream progress;
    private final boolean console;
    private final long startedNanos = System.nanoTime();
    private final Map<String, List<String>> observations = new ConcurrentHashMap<>();
    private final Map<String, List<Attachment>> attachments = new ConcurrentHashMap<>();
    private volatile Outcomes outcomes;

    private KitRun(String id, KitSettings settings, Verdict.Policy policy, Set<String> expectedFailures,
            Path outcomesFile, PrintStream progress, boolean console) {
        this.id = id;
        this.settings = settings;
        this.policy = policy;
        this.expectedFailures = Set.copyOf(expectedFailures);
        this.outcomesFile = outcomesFile;
        this.progress = progress;
        this.console = console;
    }

    /**
     * Opens a run a launcher is about to start; close it when the run is over.
     *
     * @param outcomesFile where the plugin writes {@code outcomes.json}
     * @param progress     where a line per finished scenario goes, or null for none
     */
    public static KitRun open(KitSettings settings, Verdict.Policy policy, Set<String> expectedFailures,
            Path outcomesFile, PrintStream progress) {
        KitRun run = new KitRun(UUID.randomUUID().toString(), settings, policy, expectedFailures, outcomesFile,
                progress, false);
        OPEN.put(run.id, run);
        return run;
    }

    /**
     * The run of {@code mvn verify}'s suite, which no launcher opens: settings from system
     * properties (the suite's one entry point for them), the default policy, and the summary
     * printed on the console when the run is over.
     */
    static KitRun fromEnvironment(Path outcomesFile) {
        return new KitRun(UUID.randomUUID().toString(), KitSettings.fromEnvironment(), Verdict.Policy.DEFAULT,
                Set.of(), outcomesFile, null, true);
    }

    /** The open run a plugin argument ({@code run:<id>}) names. */
    static KitRun named(String argument) {
        KitRun run = OPEN.get(argument.substring(ARGUMENT_PREFIX.length()));
        if (run == null) {
            throw new IllegalArgumentException("no open kit run " + argument);
        }
        return run;
    }

    /**
     * The run the scenario with Cucumber id {@code scenarioId} belongs to.
     *
     * @throws IllegalStateException when no run holds it: the features were started without
     *     {@link OutcomePlugin} (neither through KitLauncher nor with it in {@code cucumber.plugin})
     */
    public static KitRun ofScenario(String scenarioId) {
        KitRun run = BY_SCENARIO.get(scenarioId);
        if (run == null) {
            throw new IllegalStateException("scenario " + scenarioId + " belongs to no kit run: run the features"
                    + " through KitLauncher, or with " + OutcomePlugin.class.getName() + " in cucumber.plugin");
        }
        return run;
    }

    /** The plugin argument that names this run. */
    public String argument() {
        return ARGUMENT_PREFIX + id;
    }

    public KitSettings settings() {
        return settings;
    }

    Verdict.Policy policy() {
        return policy;
    }

    Set<String> expectedFailures() {
        return expectedFailures;
    }

    Path outcomesFile() {
        return outcomesFile;
    }

    /** Where progress lines go, if anywhere. */
    Optional<PrintStream> progress() {
        return Optional.ofNullable(progress);
    }

    /** Whether the plugin prints the summary itself (no launcher does). */
    boolean console() {
        return console;
    }

    /** Seconds since the run was opened. */
    double seconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    void bind(String scenarioId) {
        BY_SCENARIO.put(scenarioId, this);
    }

    /** Ends the scenario's binding and returns what it observed. */
    List<String> unbind(String scenarioId) {
        BY_SCENARIO.remove(scenarioId);
        List<String> obs = observations.remove(scenarioId);
        return obs == null ? List.of() : obs;
    }

    /** What an informational scenario recorded, handed over by the glue before the scenario ends. */
    public void observed(String scenarioId, List<String> what) {
        if (!what.isEmpty()) {
            observations.put(scenarioId, List.copyOf(what));
        }
    }

    void attach(String location, Attachment a) {
        attachments.computeIfAbsent(location, k -> Collections.synchronizedList(new ArrayList<>())).add(a);
    }

    /** The text attachments of the scenario at {@code features/x.feature:12}. */
    public List<Attachment> attachments(String location) {
        List<Attachment> list = attachments.get(location);
        return list == null ? List.of() : List.copyOf(list);
    }

    void complete(Outcomes done) {
        this.outcomes = done;
    }

    /** What the run produced; empty until the plugin has seen the run finish. */
    public Optional<Outcomes> outcomes() {
        return Optional.ofNullable(outcomes);
    }

    /** Forgets the run: its id no longer names it, and no scenario belongs to it any more. */
    @Override
    public void close() {
        OPEN.remove(id);
        BY_SCENARIO.values().removeIf(r -> r == this);
    }
}

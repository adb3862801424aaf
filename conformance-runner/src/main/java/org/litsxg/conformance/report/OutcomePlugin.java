package org.litsxg.conformance.report;

import io.cucumber.plugin.ConcurrentEventListener;
import io.cucumber.plugin.event.EmbedEvent;
import io.cucumber.plugin.event.EventPublisher;
import io.cucumber.plugin.event.Result;
import io.cucumber.plugin.event.TestCase;
import io.cucumber.plugin.event.TestCaseFinished;
import io.cucumber.plugin.event.TestCaseStarted;
import io.cucumber.plugin.event.TestRunFinished;
import io.cucumber.plugin.event.TestRunStarted;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.litsxg.conformance.support.ClauseCatalog;

/**
 * The Cucumber plugin that turns scenario results into the kit's outcome model: it binds every
 * scenario to its {@link KitRun} as it starts (so the glue finds the run's settings), makes a
 * {@link ScenarioResult} of it when it finishes (with what it observed, and why it did not run),
 * keeps its text attachments, and when the run is over judges the {@link OutcomeReport}
 * ({@link Verdict}), writes {@code outcomes.json} and hands the report to the run.
 *
 * <p>Registered by {@link org.litsxg.conformance.launch.KitLauncher} with the argument
 * {@code run:<id>} of the run it opened, which also says where {@code outcomes.json} goes and
 * whether to print a line per scenario. Registered by {@code mvn verify}'s
 * {@code junit-platform.properties} as {@code org.litsxg.conformance.report.OutcomePlugin}
 * (writes {@code target/conformance/outcomes.json}) or with a directory or file argument
 * ({@code ...OutcomePlugin:some/dir}, {@code ...:some/file.json}): then it makes the run from
 * system properties and prints the summary and the clauses that need attention. A concurrent
 * listener: safe with parallel scenarios.
 */
public final class OutcomePlugin implements ConcurrentEventListener {

    /** The file name written inside the output directory. */
    public static final String FILE = "outcomes.json";

    private final KitRun run;
    private final PrintStream console = System.out;
    private final Map<UUID, ScenarioResult> results = new ConcurrentHashMap<>();
    private final AtomicInteger finished = new AtomicInteger();
    private final ClauseCatalog catalog = ClauseCatalog.bundled();
    private volatile Instant started;

    public OutcomePlugin() {
        this("target/conformance");
    }

    public OutcomePlugin(String argument) {
        if (argument.startsWith(KitRun.ARGUMENT_PREFIX)) {
            this.run = KitRun.named(argument);
        } else {
            Path p = Path.of(argument);
            this.run = KitRun.fromEnvironment(argument.endsWith(".json") ? p : p.resolve(FILE));
        }
    }

    @Override
    public void setEventPublisher(EventPublisher publisher) {
        publisher.registerHandlerFor(TestRunStarted.class, e -> started = e.getInstant());
        publisher.registerHandlerFor(TestCaseStarted.class, e -> run.bind(e.getTestCase().getId().toString()));
        publisher.registerHandlerFor(EmbedEvent.class, this::onEmbed);
        publisher.registerHandlerFor(TestCaseFinished.class, this::onFinished);
        publisher.registerHandlerFor(TestRunFinished.class, e -> onRunFinished(e.getInstant()));
    }

    private void onEmbed(EmbedEvent e) {
        String type = e.getMediaType() == null ? "" : e.getMediaType();
        if (type.startsWith("text/")) {
            run.attach(location(e.getTestCase()), new KitRun.Attachment(e.getName() == null ? "attachment" : e.getName(),
                    new String(e.getData(), StandardCharsets.UTF_8)));
        }
    }

    private void onFinished(TestCaseFinished e) {
        TestCase tc = e.getTestCase();
        Result r = e.getResult();
        List<String> observations = run.unbind(tc.getId().toString());
        ScenarioResult result = ScenarioResult.of(tc.getName(), location(tc), tc.getTags(), r.getStatus().name(),
                r.getError(), observations, catalog);
        results.put(tc.getId(), result);
        run.progress().ifPresent(out -> {
            out.printf(Locale.ROOT, "%4d %-13s %-22s %6.2fs  %s  %s%n", finished.incrementAndGet(),
                    result.outcome().label(), String.join(",", result.clauses()), r.getDuration().toMillis() / 1000.0,
                    result.location(), result.name());
            out.flush();
        });
    }

    /** A test case's {@code features/x.feature:12}, from a class-path or file URI. */
    static String location(TestCase tc) {
        return featurePath(tc.getUri().toString()) + ":" + tc.getLocation().getLine();
    }

    /** {@code classpath:features/x.feature} or a file URI, shortened to {@code features/x.feature}. */
    static String featurePath(String uri) {
        int i = uri.lastIndexOf("features/");
        return i >= 0 ? uri.substring(i) : uri;
    }

    private void onRunFinished(Instant end) {
        List<ScenarioResult> all = new ArrayList<>(results.values());
        all.sort(Comparator.comparing(ScenarioResult::location, OutcomePlugin::compareLocations));
        OutcomeReport report = OutcomeReport.of(run.settings().server().source(), all, catalog);
        Verdict verdict = Verdict.of(report, run.policy(), run.expectedFailures());
        double seconds = run.console() && started != null ? Duration.between(started, end).toMillis() / 1000.0
                : run.seconds();
        String summary = verdict.summaryLine(seconds);
        try {
            report.write(run.outcomesFile(), verdict, summary);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write " + run.outcomesFile(), ex);
        }
        run.complete(new KitRun.Outcomes(report, verdict, summary, seconds));
        if (run.console()) {
            console.println(summary);
            console.print(report.attention());
            console.println("outcomes: " + run.outcomesFile().toAbsolutePath());
            console.flush();
        }
    }

    private static int compareLocations(String a, String b) {
        int ca = a.lastIndexOf(':');
        int cb = b.lastIndexOf(':');
        int byFile = a.substring(0, ca).compareTo(b.substring(0, cb));
        if (byFile != 0) {
            return byFile;
        }
        return Integer.compare(Integer.parseInt(a.substring(ca + 1)), Integer.parseInt(b.substring(cb + 1)));
    }
}

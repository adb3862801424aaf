package org.litsxg.conformance.report;

import io.cucumber.plugin.ConcurrentEventListener;
import io.cucumber.plugin.event.EventPublisher;
import io.cucumber.plugin.event.Result;
import io.cucumber.plugin.event.TestCase;
import io.cucumber.plugin.event.TestCaseFinished;
import io.cucumber.plugin.event.TestRunFinished;
import io.cucumber.plugin.event.WriteEvent;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.litsxg.conformance.support.ClauseCatalog;
import org.litsxg.conformance.support.KitSettings;

/**
 * The Cucumber plugin that turns scenario results into the kit's outcome model and writes
 * {@code outcomes.json}, then prints the summary line and the clauses that need attention.
 *
 * <p>Register it as {@code org.litsxg.conformance.report.OutcomePlugin} (writes
 * {@code target/conformance/outcomes.json}) or with an argument:
 * {@code org.litsxg.conformance.report.OutcomePlugin:some/dir} (writes
 * {@code some/dir/outcomes.json}) or {@code ...:some/file.json}. A concurrent listener: safe
 * with parallel scenarios.
 */
public final class OutcomePlugin implements ConcurrentEventListener {

    /** Set to {@code false} (the runner does, as it prints its own summary) to keep the console quiet. */
    public static final String CONSOLE = "litsxg.outcome-console";

    /** The file name written inside the output directory. */
    public static final String FILE = "outcomes.json";

    private final Path file;
    private final PrintStream console;
    private final Map<UUID, List<String>> observations = new ConcurrentHashMap<>();
    private final Map<UUID, ScenarioResult> results = new ConcurrentHashMap<>();
    private final ClauseCatalog catalog = ClauseCatalog.bundled();
    private volatile java.time.Instant started;

    public OutcomePlugin() {
        this("target/conformance");
    }

    public OutcomePlugin(String out) {
        Path p = Path.of(out);
        this.file = out.endsWith(".json") ? p : p.resolve(FILE);
        this.console = System.out;
    }

    @Override
    public void setEventPublisher(EventPublisher publisher) {
        publisher.registerHandlerFor(WriteEvent.class, this::onWrite);
        publisher.registerHandlerFor(TestCaseFinished.class, this::onFinished);
        publisher.registerHandlerFor(io.cucumber.plugin.event.TestRunStarted.class, e -> started = e.getInstant());
        publisher.registerHandlerFor(TestRunFinished.class, e -> onRunFinished(e.getInstant()));
    }

    private void onWrite(WriteEvent e) {
        String text = e.getText();
        if (text != null && text.startsWith("observation: ")) {
            observations.computeIfAbsent(e.getTestCase().getId(), k -> java.util.Collections.synchronizedList(
                    new ArrayList<>())).add(text.substring("observation: ".length()));
        }
    }

    private void onFinished(TestCaseFinished e) {
        TestCase tc = e.getTestCase();
        Result r = e.getResult();
        String message = r.getError() == null ? null : r.getError().getMessage() == null
                ? r.getError().toString() : r.getError().getMessage();
        String location = featurePath(tc.getUri().toString()) + ":" + tc.getLocation().getLine();
        List<String> obs = observations.getOrDefault(tc.getId(), List.of());
        ScenarioResult result = ScenarioResult.of(tc.getName(), location, tc.getTags(), r.getStatus().name(),
                message, List.copyOf(obs), catalog);
        results.put(tc.getId(), result);
    }

    /** {@code classpath:features/x.feature} or a file URI, shortened to {@code features/x.feature}. */
    static String featurePath(String uri) {
        int i = uri.lastIndexOf("features/");
        return i >= 0 ? uri.substring(i) : uri;
    }

    private void onRunFinished(java.time.Instant finished) {
        List<ScenarioResult> all = new ArrayList<>(results.values());
        all.sort(Comparator.comparing(ScenarioResult::location, OutcomePlugin::compareLocations));
        String subject;
        try {
            subject = KitSettings.fromEnvironment().server().source();
        } catch (RuntimeException ex) {
            subject = "(unknown build)";
        }
        OutcomeReport report = OutcomeReport.of(subject, all, catalog);
        try {
            report.write(file, false);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
        if (!"false".equals(System.getProperty(CONSOLE))) {
            console.print(report.text(false));
            if (started != null) {
                console.printf(java.util.Locale.ROOT, "wall time of the run: %.1f s%n",
                        java.time.Duration.between(started, finished).toMillis() / 1000.0);
            }
            console.println("outcomes: " + file.toAbsolutePath());
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

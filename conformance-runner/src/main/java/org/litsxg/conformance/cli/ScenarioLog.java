package org.litsxg.conformance.cli;

import io.cucumber.plugin.ConcurrentEventListener;
import io.cucumber.plugin.event.EmbedEvent;
import io.cucumber.plugin.event.EventPublisher;
import io.cucumber.plugin.event.TestCase;
import io.cucumber.plugin.event.TestCaseFinished;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.litsxg.conformance.report.ScenarioResult;
import org.litsxg.conformance.support.ClauseCatalog;

/**
 * The runner's Cucumber plugin: prints one line per scenario as it finishes (outcome, clauses,
 * time, location, name), and keeps every text attachment (wire transcripts, server output) by
 * scenario location for the HTML report. A concurrent listener, safe with parallel scenarios.
 *
 * <p>Cucumber creates the plugin from its class name, so the runner reaches the instance of
 * the current run through {@link #current()}; runs in one JVM are serialized by the launcher.
 */
public final class ScenarioLog implements ConcurrentEventListener {
    /** One attachment: its name and text. */
    public record Attachment(String name, String text) {
    }

    private static volatile ScenarioLog current;
    private static volatile PrintStream console = System.out;

    private final Map<String, List<Attachment>> attachments = new ConcurrentHashMap<>();
    private final AtomicInteger finished = new AtomicInteger();
    private final ClauseCatalog catalog = ClauseCatalog.bundled();

    public ScenarioLog() {
        current = this;
    }

    /** The plugin instance of the latest run, or null. */
    public static ScenarioLog current() {
        return current;
    }

    /** Where progress lines go (stdout unless set). */
    public static void console(PrintStream out) {
        console = out;
    }

    @Override
    public void setEventPublisher(EventPublisher publisher) {
        publisher.registerHandlerFor(EmbedEvent.class, this::onEmbed);
        publisher.registerHandlerFor(TestCaseFinished.class, this::onFinished);
    }

    /** Attachments of the scenario at {@code features/x.feature:12}. */
    public List<Attachment> attachments(String location) {
        return attachments.getOrDefault(location, List.of());
    }

    private void onEmbed(EmbedEvent e) {
        String type = e.getMediaType() == null ? "" : e.getMediaType();
        if (!type.startsWith("text/")) {
            return;
        }
        String text = new String(e.getData(), StandardCharsets.UTF_8);
        attachments.computeIfAbsent(location(e.getTestCase()), k -> Collections.synchronizedList(new ArrayList<>()))
                .add(new Attachment(e.getName() == null ? "attachment" : e.getName(), text));
    }

    private void onFinished(TestCaseFinished e) {
        TestCase tc = e.getTestCase();
        String message = e.getResult().getError() == null ? null : String.valueOf(e.getResult().getError().getMessage());
        ScenarioResult r = ScenarioResult.of(tc.getName(), location(tc), tc.getTags(),
                e.getResult().getStatus().name(), message, List.of(), catalog);
        Duration d = e.getResult().getDuration();
        console.printf(Locale.ROOT, "%4d %-13s %-22s %6.2fs  %s  %s%n", finished.incrementAndGet(),
                r.outcome().label(), String.join(",", r.clauses()), d.toMillis() / 1000.0, r.location(), r.name());
        console.flush();
    }

    static String location(TestCase tc) {
        String uri = tc.getUri().toString();
        int i = uri.lastIndexOf("features/");
        return (i >= 0 ? uri.substring(i) : uri) + ":" + tc.getLocation().getLine();
    }
}

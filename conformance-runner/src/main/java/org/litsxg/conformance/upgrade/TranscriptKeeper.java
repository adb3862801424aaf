package org.litsxg.conformance.upgrade;

import io.cucumber.plugin.ConcurrentEventListener;
import io.cucumber.plugin.event.EmbedEvent;
import io.cucumber.plugin.event.EventPublisher;
import io.cucumber.plugin.event.TestCase;
import io.cucumber.plugin.event.TestRunFinished;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.litsxg.conformance.report.Json;

/**
 * A Cucumber plugin that keeps every client transcript a scenario attached (with
 * {@code litsxg.keep-evidence=true} that is every scenario, passed or failed) and writes them,
 * by scenario location, to {@code transcripts.json} in the directory given as its argument:
 * {@code org.litsxg.conformance.upgrade.TranscriptKeeper:some/dir}. A concurrent listener, safe
 * with parallel scenarios; one instance per run.
 */
public final class TranscriptKeeper implements ConcurrentEventListener {

    /** The file written inside the output directory. */
    public static final String FILE = "transcripts.json";

    /** The attachment name prefix the kit's hooks use for a client's transcript. */
    static final String PREFIX = "transcript: ";

    private final Path file;
    private final Map<String, List<Map<String, String>>> byLocation = new ConcurrentHashMap<>();

    public TranscriptKeeper(String dir) {
        this.file = Path.of(dir).resolve(FILE);
    }

    @Override
    public void setEventPublisher(EventPublisher publisher) {
        publisher.registerHandlerFor(EmbedEvent.class, this::onEmbed);
        publisher.registerHandlerFor(TestRunFinished.class, e -> write());
    }

    private void onEmbed(EmbedEvent e) {
        String name = e.getName();
        if (name == null || !name.startsWith(PREFIX)) {
            return;
        }
        byLocation.computeIfAbsent(location(e.getTestCase()), k -> Collections.synchronizedList(new ArrayList<>()))
                .add(Map.of("client", name.substring(PREFIX.length()),
                        "text", new String(e.getData(), StandardCharsets.UTF_8)));
    }

    private void write() {
        Map<String, Object> sorted = new TreeMap<>();
        byLocation.forEach((k, v) -> sorted.put(k, List.copyOf(v)));
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, Json.write(sorted), StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }

    static String location(TestCase tc) {
        String uri = tc.getUri().toString();
        int i = uri.lastIndexOf("features/");
        return (i >= 0 ? uri.substring(i) : uri) + ":" + tc.getLocation().getLine();
    }

    /** Reads a file written by this plugin: location to (client name, transcript text) pairs. */
    @SuppressWarnings("unchecked")
    public static Map<String, List<Map<String, String>>> read(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return Map.of();
        }
        return (Map<String, List<Map<String, String>>>) Json.read(Files.readString(f, StandardCharsets.UTF_8));
    }
}

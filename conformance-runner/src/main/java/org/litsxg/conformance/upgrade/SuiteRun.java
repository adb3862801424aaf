package org.litsxg.conformance.upgrade;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.litsxg.conformance.launch.KitLauncher;
import org.litsxg.conformance.report.OutcomePlugin;
import org.litsxg.conformance.report.OutcomeReport;

/**
 * One run of the bundled features against one build, keeping the wire transcript of every
 * scenario (passed ones too), for the behaviour diff of {@code verify-upgrade}.
 *
 * <p>Runs of the same request (template, the files it names and their sha256, selection,
 * settings, and the role the run plays) are reused inside one JVM: a test suite that checks
 * several candidates against one old build runs the old build once. The role is part of the key,
 * so the two sides of one comparison are always two real runs, never one run compared with
 * itself.
 *
 * @param report      outcomes per scenario and clause
 * @param transcripts per scenario location, the transcripts of its clients
 * @param seconds     how long the run took (of the original run, when reused)
 * @param dir         where the run's files are (outcomes.json, transcripts.json, junit.xml, messages.ndjson)
 * @param reused      whether this result came from an earlier run in this JVM
 */
public record SuiteRun(OutcomeReport report, Map<String, List<Map<String, String>>> transcripts, double seconds,
        Path dir, boolean reused) {

    /**
     * What to run. {@code previous} is the build an upgrade scenario starts from (null: the build
     * itself); {@code scenarios} the scenario locations to run ({@code features/x.feature:40}),
     * or empty for every scenario the tags select.
     */
    public record Request(String role, String template, String fingerprint, String tags, String previous,
            double timescale, int startupTimeout, int parallel, List<String> scenarios) {

        public Request(String role, String template, String fingerprint, String tags, String previous,
                double timescale, int startupTimeout, int parallel) {
            this(role, template, fingerprint, tags, previous, timescale, startupTimeout, parallel, List.of());
        }

        public Request {
            scenarios = List.copyOf(scenarios);
        }

        /** The same request for these scenarios only, under another role (so never reused for the full run). */
        public Request only(String newRole, List<String> locations) {
            return new Request(newRole, template, fingerprint, tags, previous, timescale, startupTimeout, parallel, locations);
        }
    }

    private static final Map<Request, SuiteRun> DONE = new ConcurrentHashMap<>();

    /**
     * Runs the features (or reuses an identical earlier run of this JVM) and copies the run's
     * files into {@code into}. Blocks for as long as the features take.
     */
    public static SuiteRun run(Request request, Path into) throws IOException {
        SuiteRun earlier = DONE.get(request);
        if (earlier != null && Files.isDirectory(earlier.dir())) {
            copy(earlier.dir(), into);
            return new SuiteRun(earlier.report(), earlier.transcripts(), earlier.seconds(), into, true);
        }
        Path dir = Files.createTempDirectory("litsxg-upgrade-" + request.role() + "-");
        KitLauncher.Run run = KitLauncher.Run.of(request.template(), dir)
                .withTags(request.tags())
                .withParallelism(request.parallel())
                .withSettings(s -> s.withTimescale(request.timescale())
                        .withStartupTimeout(Duration.ofSeconds(request.startupTimeout()))
                        .withKeepEvidence(true))
                .withPlugins(List.of(TranscriptKeeper.class.getName() + ":" + dir,
                        "junit:" + dir.resolve("junit.xml"), "message:" + dir.resolve("messages.ndjson")));
        if (!request.scenarios().isEmpty()) {
            run = run.withFeatures(request.scenarios());
        }
        if (request.previous() != null) {
            run = run.withSettings(s -> s.withPreviousServer(request.previous()));
        }
        long t0 = System.nanoTime();
        KitLauncher.Result result = KitLauncher.run(run);
        double seconds = (System.nanoTime() - t0) / 1e9;
        SuiteRun done = new SuiteRun(result.report(), TranscriptKeeper.read(dir), seconds, dir, false);
        DONE.put(request, done);
        copy(dir, into);
        return new SuiteRun(done.report(), done.transcripts(), seconds, into, false);
    }

    private static void copy(Path from, Path to) throws IOException {
        if (Objects.equals(from.toAbsolutePath(), to.toAbsolutePath())) {
            return;
        }
        Files.createDirectories(to);
        for (String f : List.of(OutcomePlugin.FILE, TranscriptKeeper.FILE, "junit.xml", "messages.ndjson")) {
            Path src = from.resolve(f);
            if (Files.isRegularFile(src)) {
                Files.copy(src, to.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}

package org.litsxg.conformance.launch;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.litsxg.conformance.support.KitSettings;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.Transcript;
import org.litsxg.conformance.support.WireClient;

/**
 * Makes the many short-lived reference-server JVMs of a run start faster: one warm-up run of
 * the reference jar writes a class-data-sharing archive (JDK dynamic AppCDS) of the classes a
 * server loads, and every later start maps it ({@link KitSettings#REFERENCE_CDS}). It changes
 * nothing the kit observes: the JVM checks the archive against the jar and silently ignores it
 * when they differ ({@code -Xlog:disable} keeps the JVM's own warnings off stdout).
 *
 * <p>Only for the default reference template; a build named by {@code litsxg.server} is
 * started exactly as given.
 */
public final class ReferenceWarmup {

    private ReferenceWarmup() {
    }

    /**
     * Writes {@code archive} for {@code jar} unless an archive newer than the jar is there.
     * Blocks for one server start, two registrations and a stop (a few seconds). Returns
     * whether an up-to-date archive exists afterwards; any trouble just gives false.
     */
    public static boolean archive(Path jar, Path archive) {
        try {
            if (!Files.isRegularFile(jar)) {
                return false;
            }
            if (Files.isRegularFile(archive)
                    && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0) {
                return true;
            }
            Files.createDirectories(archive.toAbsolutePath().getParent());
            Files.deleteIfExists(archive);
            Path work = Files.createTempDirectory("litsxg-warmup-");
            try {
                run(jar, archive, work);
            } finally {
                org.litsxg.conformance.steps.ScenarioContext.deleteTree(work);
            }
            return Files.isRegularFile(archive);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void run(Path jar, Path archive, Path work) throws IOException {
        // The same JVM options as the runs that map the archive (see KitSettings).
        List<String> argv = new java.util.ArrayList<>(List.of("java"));
        argv.addAll(KitSettings.REFERENCE_JVM_OPTIONS);
        argv.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive.toAbsolutePath(),
                "-Xlog:disable", "-jar", jar.toAbsolutePath().toString(), "server", "--bind", "127.0.0.1",
                "--port", "0", "--data-dir", work.resolve("data").toString()));
        long origin = System.nanoTime();
        try (ServerProcess p = ServerProcess.start("warmup", argv, work, Map.of(), origin, null)) {
            Optional<String> ready = p.stdout().awaitLine(l -> l.startsWith("litsxg listening on "),
                    Duration.ofSeconds(30), () -> !p.isAlive());
            if (ready.isEmpty()) {
                return;
            }
            int port = Integer.parseInt(ready.get().substring(ready.get().lastIndexOf(':') + 1));
            for (String name : List.of("warmup-a", "warmup-b")) {
                try (WireClient c = WireClient.connect(name, new InetSocketAddress("127.0.0.1", port),
                        Duration.ofSeconds(5), new Transcript(name, origin), 0, false)) {
                    c.send("AUTH " + name + " warmup-secret-1\nSEND " + name + " hello\nPING\nQUIT");
                    for (int i = 0; i < 5; i++) {
                        if (c.next(Duration.ofSeconds(10)) instanceof Received.Closed) {
                            break;
                        }
                    }
                }
            }
            p.terminate(Duration.ofSeconds(30));
        }
    }
}

package org.litsxg.deploy;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference server jar started through deploy/litsxg-sandbox under deploy/litsxg.service's
 * restrictions, with {@code state} as its StateDirectory and {@code state/data} as its data
 * directory (as the unit has /var/lib/litsxg and /var/lib/litsxg/data). The launcher execs the
 * server in place, so {@link #process} is the server.
 */
final class SandboxedServer implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("litsxg listening on 127\\.0\\.0\\.1:(\\d+)");

    final Process process;
    final int port;
    final CompletableFuture<String> stderr;

    private SandboxedServer(Process process, int port, CompletableFuture<String> stderr) {
        this.process = process;
        this.port = port;
        this.stderr = stderr;
    }

    /** {@code jar}: a copy from {@link Tools#stage}, which the sandbox shows read-only. */
    static SandboxedServer start(Path state, Path jar) throws Exception {
        Path launcher = Tools.requireSandbox();
        Process p = new ProcessBuilder(List.of(launcher.toString(), "--unit", Tools.deployDir().resolve("litsxg.service").toString(),
                "--state-directory", state.toString(), "--bind-read-only", jar.toString(), "--",
                "java", "-XX:+UseSerialGC", "-jar", jar.toString(), "server", "--port", "0",
                "--data-dir", state.resolve("data").toString(), "--pbkdf2-iterations", "1000"))
                .directory(state.toFile()).start();
        CompletableFuture<String> err = Tools.drain(p.getErrorStream());
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    Matcher m = READY.matcher(line);
                    if (m.matches()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "sandboxed-server-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(20))
                    .failFast("the sandboxed server exited before its ready line", () -> !p.isAlive())
                    .until(port::isDone);
        } catch (RuntimeException | Error e) {
            p.destroyForcibly();
            throw new AssertionError(e.getMessage() + "; its stderr: " + err.getNow("(still open)"), e);
        }
        return new SandboxedServer(p, port.get(), err);
    }

    /** SIGTERM; the exit status, which is the server's own. */
    int stop() throws InterruptedException, ExecutionException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the server did not stop within 10 s of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}

package org.litsxg.conformance.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.litsxg.conformance.support.CommandTemplate;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;

/**
 * Starts the build once, before any scenario, so that a build that cannot start at all is one
 * clear line and exit 2 rather than a wall of failed scenarios.
 */
final class Preflight {
    private Preflight() {
    }

    /** Returns empty when the build started and accepted a connection, else why not. Blocks up to {@code timeout}. */
    static Optional<String> check(CommandTemplate template, Duration timeout) throws IOException {
        Path root = Files.createTempDirectory("litsxg-preflight");
        try (ServerInstance instance = new ServerInstance("preflight", root, template)) {
            List<String> argv = instance.argv();
            ServerProcess p;
            try {
                p = ServerProcess.start("preflight", argv, instance.workDir(), instance.environment(), System.nanoTime(), null);
            } catch (IOException e) {
                return Optional.of("cannot execute " + argv.get(0) + ": " + e.getMessage());
            }
            instance.started(p);
            if (p.awaitAccepting(instance.address(), timeout)) {
                p.terminate(Duration.ofSeconds(5));
                return Optional.empty();
            }
            String why = p.isAlive()
                    ? "it did not accept connections on " + instance.address() + " within " + timeout.toSeconds() + " s"
                    : "it exited with status " + p.exitStatus().map(String::valueOf).orElse("?");
            List<String> errLines = p.stderr().lines();
            String err = errLines.isEmpty() ? "" : errLines.get(errLines.size() - 1).strip();
            return Optional.of(why + (err.isEmpty() ? "" : "; its stderr said: " + err));
        } finally {
            deleteTree(root);
        }
    }

    /**
     * Returns empty when the server at {@code target} answers a PING with PONG, else why not.
     * Blocks up to about twice {@code timeout} (connect, then the reply).
     */
    static Optional<String> reach(org.litsxg.conformance.support.RemoteTarget target, Duration timeout) {
        try (java.net.Socket s = new java.net.Socket()) {
            target.connect(s, timeout);
            s.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            s.getOutputStream().write("PING\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            java.io.InputStream in = s.getInputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n' && line.size() < 4096) {
                line.write(b);
            }
            String reply = line.toString(java.nio.charset.StandardCharsets.UTF_8).replace("\r", "");
            if (b == '\n' && reply.equals("PONG")) {
                return Optional.empty();
            }
            return Optional.of(target + " answered PING with " + (b < 0 ? "the end of the connection" : "\"" + reply + "\"")
                    + ", not PONG");
        } catch (IOException e) {
            return Optional.of(target + ": " + e.getMessage());
        }
    }

    private static void deleteTree(Path root) {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}

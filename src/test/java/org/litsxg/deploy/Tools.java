package org.litsxg.deploy;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The host tools the deployment tests run. A missing tool fails the test with the Debian package
 * that provides it ({@code .ci/run} installs them), never skips it.
 */
final class Tools {
    private Tools() {
    }

    /** The repository's deploy/ directory (system property {@code litsxg.deploy.dir}, set by the pom). */
    static Path deployDir() {
        String dir = System.getProperty("litsxg.deploy.dir");
        assertNotNull(dir, "system property litsxg.deploy.dir (set by the pom's failsafe configuration)");
        return Path.of(dir).toAbsolutePath().normalize();
    }

    static Path jar() {
        String jar = System.getProperty("litsxg.jar");
        assertNotNull(jar, "system property litsxg.jar (set by the pom's failsafe configuration)");
        return Path.of(jar);
    }

    /**
     * A copy of {@code file} in {@code dir} (created), readable by all: what a sandboxed process
     * runs or reads must not depend on where the build lies (the sandbox hides /root and /home,
     * and an unprivileged user may not traverse a 0700 parent); the copy goes to the caller's
     * temporary directory, which the sandbox shows through --bind-read-only.
     */
    static Path stage(Path file, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path copy = dir.resolve(file.getFileName());
        Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(copy, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        return copy;
    }

    /** {@code name} on PATH or in /usr/bin, /usr/sbin, /bin; fails naming the Debian package when absent. */
    static Path require(String name, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/usr/sbin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        return fail(name + " is missing: install Debian's " + debianPackage + " package (.ci/run does)");
    }

    /** The sandbox launcher's own needs: root, and libseccomp's Python binding for /usr/bin/python3. */
    static Path requireSandbox() throws Exception {
        Path launcher = deployDir().resolve("litsxg-sandbox");
        assertTrue(Files.isExecutable(launcher), launcher + " is executable");
        Result id = run(List.of("id", "-u"), 10);
        assertTrue(id.out.strip().equals("0"), "the sandbox launcher must run as root (it builds a mount "
                + "namespace, then drops to an unprivileged user); this test runs as uid " + id.out.strip());
        Result seccomp = run(List.of("/usr/bin/python3", "-c", "import seccomp"), 30);
        if (seccomp.exit != 0) {
            fail("/usr/bin/python3 cannot import seccomp: install Debian's python3-seccomp package (.ci/run does): "
                    + seccomp.err.strip());
        }
        require("systemd-analyze", "systemd");
        return launcher;
    }

    record Result(int exit, String out, String err) {
    }

    /** Runs a command to its end (at most {@code seconds}), stdout and stderr captured. */
    static Result run(List<String> command, long seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within " + seconds + " s");
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}

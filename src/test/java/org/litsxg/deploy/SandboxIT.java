package org.litsxg.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/litsxg-sandbox really applies deploy/litsxg.service's restrictions (a probe is refused
 * inside what it may do outside), and the reference server runs under them: ready line, PING,
 * registration, SIGTERM to exit 0, its files owned by the unprivileged user. The conformance
 * suite under the same launcher: SandboxedReferenceIT in conformance-runner.
 */
class SandboxIT {
    /** The service user the launcher drops to (nobody: the unit's litsxg user does not exist here). */
    static final String SERVICE_UID = "65534";

    @TempDir
    Path tmp;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void everyProbeIsRefusedInsideAndAllowedOutside() throws Exception {
        Path launcher = Tools.requireSandbox();
        Path probe = Tools.stage(Path.of(SandboxIT.class.getResource("sandbox-probe.py").toURI()), tmp.resolve("bin"));
        Path state = Files.createDirectories(tmp.resolve("state"));

        Map<String, String> outside = probe(List.of("/usr/bin/python3", probe.toString(), state.toString()), state);
        Map<String, String> inside = probe(List.of(launcher.toString(), "--unit", Tools.deployDir().resolve("litsxg.service").toString(),
                "--state-directory", state.toString(), "--bind-read-only", probe.toString(),
                "--", "/usr/bin/python3", probe.toString(), state.toString()), state);
        System.out.println("sandbox probe, outside: " + outside);
        System.out.println("sandbox probe, inside:  " + inside);

        assertEquals(17, outside.size(), "every probe ran outside: " + outside);
        outside.forEach((name, result) -> assertEquals("ok", result, "outside the sandbox, as root, " + name + " is allowed"));
        assertEquals(outside.keySet(), inside.keySet(), "every probe ran inside");
        inside.forEach((name, result) -> {
            if (name.startsWith("control-")) {
                assertEquals("ok", result, "inside the sandbox " + name + " (the server needs it) is allowed");
            } else {
                assertTrue(!result.equals("ok"), "inside the sandbox " + name + " is refused, got " + result);
            }
        });
    }

    @Test
    void theServerRunsUnderTheSandboxAsAnUnprivilegedConfinedProcess() throws Exception {
        Tools.requireSandbox();
        Path state = Files.createDirectories(tmp.resolve("state"));
        Path data = state.resolve("data");
        SandboxedServer server = SandboxedServer.start(state, Tools.stage(Tools.jar(), tmp.resolve("bin")));
        Process p = server.process;
        started.add(p);

        // The process the test started is the server itself (the launcher execs in place).
        Map<String, String> status = status(p.pid());
        System.out.println("sandboxed server /proc/" + p.pid() + "/status: " + status);
        assertTrue(status.get("Name").startsWith("java"), "the launcher exec'd the server in place: " + status.get("Name"));
        assertEquals(SERVICE_UID, status.get("Uid").split("\\s+")[0], "runs as the service user");
        assertEquals("0000000000000000", status.get("CapEff"), "no effective capability");
        assertEquals("0000000000000000", status.get("CapPrm"), "no permitted capability");
        assertEquals("0000000000000000", status.get("CapBnd"), "empty capability bounding set");
        assertEquals("1", status.get("NoNewPrivs"), "NoNewPrivileges");
        assertEquals("2", status.get("Seccomp"), "a seccomp filter (mode 2) is in force");
        for (String ns : List.of("mnt", "user", "uts", "ipc")) {
            assertTrue(!Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/ns/" + ns))
                    .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns))), "its own " + ns + " namespace");
        }

        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port), 5_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            out.write("PING\nAUTH sandboxed correct-horse-battery\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertEquals("PONG", in.readLine());
            assertEquals("OK registered", in.readLine(), "a registration is written into the state directory");
        }
        assertEquals(0, server.stop(), "SIGTERM, straight to the server: a clean stop; stderr: " + server.stderr.join());
        try (Stream<Path> files = Files.list(data)) {
            for (Path f : files.toList()) {
                assertEquals(SERVICE_UID, Files.getAttribute(f, "unix:uid").toString(), f + " belongs to the service user");
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f + " mode (UMask=0077)");
            }
        }
    }

    private Map<String, String> probe(List<String> command, Path cwd) throws Exception {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).start();
        started.add(p);
        CompletableFuture<String> out = Tools.drain(p.getInputStream());
        CompletableFuture<String> err = Tools.drain(p.getErrorStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe finished");
        assertEquals(0, p.exitValue(), "probe exit status; stderr: " + err.join());
        Map<String, String> results = new LinkedHashMap<>();
        for (String line : out.join().split("\n")) {
            if (!line.isBlank()) {
                String[] w = line.split(" ", 2);
                results.put(w[0], w[1]);
            }
        }
        return results;
    }

    private static Map<String, String> status(long pid) throws IOException {
        Map<String, String> status = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                status.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return status;
    }
}

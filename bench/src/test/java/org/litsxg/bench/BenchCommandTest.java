package org.litsxg.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The benchmark jar's command line and how it tells which peers can run. */
class BenchCommandTest {
    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = BenchMain.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void anUnknownTargetIsAUsageErrorOfOneLine() {
        String[] r = run("startup", "--target", "litsxg,unrealircd");
        assertEquals("2", r[0]);
        assertEquals("litsxg bench: unknown target unrealircd (litsxg,ngircd,inspircd,ergo)\n", r[2]);
    }

    @Test
    void noBenchmarkNamedIsAUsageError() {
        String[] r = run();
        assertEquals("2", r[0]);
        assertTrue(r[2].startsWith("litsxg bench: missing benchmark"), r[2]);
    }

    @Test
    void ergoIsRunOnlyWhenTheBinaryIsTheErgoIrcServer() {
        assertTrue(BenchServer.ergoUnavailable("/nonexistent/ergo").startsWith("no Ergo IRC server at /nonexistent/ergo"));
        // Any other program (Debian's `ergo` is ErgoSCF) is told apart by `<binary> version`.
        String notErgo = BenchServer.ergoUnavailable("/bin/echo");
        assertTrue(notErgo.startsWith("/bin/echo is not the Ergo IRC server"), notErgo);
    }

    @Test
    void theReferenceServerRunsWhenItsJarExists() throws Exception {
        ServerOptions o = new ServerOptions();
        java.nio.file.Path jar = java.nio.file.Files.createTempFile("litsxg", ".jar");
        try {
            o.serverJar = jar;
            assertNull(BenchServer.Kind.LITSXG.unavailable(o));
            o.serverJar = jar.resolveSibling("missing-" + jar.getFileName());
            assertTrue(BenchServer.Kind.LITSXG.unavailable(o).startsWith("no server jar at "));
        } finally {
            java.nio.file.Files.deleteIfExists(jar);
        }
    }
}

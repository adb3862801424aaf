package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.litsxg.ExitCodes;
import org.litsxg.StartupException;

/** Spec PROC-21: a --bind name that does not resolve means the server cannot start (exit 3). */
class ServerBindTest {

    @Test
    void aBindNameThatDoesNotResolveCannotStart(@TempDir Path dir) {
        ServerConfig config = new ServerConfig("no-such-host.invalid", 0, dir.resolve("data"), 1000, 10, 30,
                1_048_576, PasswordHash.MIN_ITERATIONS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StartupException e = assertThrows(StartupException.class,
                () -> Server.run(config, new PrintStream(out, true, StandardCharsets.UTF_8)));
        assertEquals(ExitCodes.CANNOT_START, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("no-such-host.invalid"), e.getMessage());
        assertEquals("", out.toString(StandardCharsets.UTF_8), "no ready line");
    }
}

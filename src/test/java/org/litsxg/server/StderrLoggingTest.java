package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StderrLoggingTest {
    private final PrintStream saved = System.err;

    @AfterEach
    void restore() {
        System.setErr(saved);
        StderrLogging.install(Level.INFO);
    }

    private static String capture(Level threshold, Runnable body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        StderrLogging.install(threshold);
        body.run();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void debugRecordsAreWrittenAtDebugInTheOneLineFormat() {
        Logger log = StderrLogging.logger();
        String err = capture(Level.DEBUG, () -> {
            log.log(Level.INFO, "data directory /d, 0 identities");
            log.log(Level.DEBUG, "SEND from a to b: text");
        });
        assertEquals("litsxg INFO data directory /d, 0 identities" + System.lineSeparator()
                + "litsxg FINE SEND from a to b: text" + System.lineSeparator(), err);
    }

    @Test
    void theThresholdDropsWhatIsBelowIt() {
        Logger log = StderrLogging.logger();
        String err = capture(Level.WARNING, () -> {
            assertFalse(log.isLoggable(Level.INFO));
            assertTrue(log.isLoggable(Level.ERROR));
            log.log(Level.INFO, "not this");
            log.log(Level.DEBUG, "nor this");
            log.log(Level.ERROR, "fatal: cannot store identity");
        });
        assertEquals("litsxg SEVERE fatal: cannot store identity" + System.lineSeparator(), err);
    }

    @Test
    void aResetOfJavaUtilLoggingDoesNotChangeTheServersLevel() {
        Logger log = StderrLogging.logger();
        String err = capture(Level.DEBUG, () -> {
            java.util.logging.LogManager.getLogManager().reset();
            log.log(Level.DEBUG, "still here");
        });
        assertEquals("litsxg FINE still here" + System.lineSeparator(), err);
    }
}

package org.litsxg.server;

import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;

/**
 * Plain one-line log records on stderr, nothing else: no file, no structure, no access log.
 * Format: {@code litsxg <LEVEL> <message>}.
 */
final class StderrLogging {
    private StderrLogging() {
    }

    /** error, warn, info or debug. */
    static Level parseLevel(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "error" -> Level.ERROR;
            case "warn", "warning" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.DEBUG;
            default -> throw new IllegalArgumentException("--log-level must be error, warn, info or debug, not " + name);
        };
    }

    static void install(Level level) {
        java.util.logging.Level julLevel = switch (level) {
            case ERROR -> java.util.logging.Level.SEVERE;
            case WARNING -> java.util.logging.Level.WARNING;
            case DEBUG, TRACE, ALL -> java.util.logging.Level.FINE;
            case OFF -> java.util.logging.Level.OFF;
            default -> java.util.logging.Level.INFO;
        };
        LogManager.getLogManager().reset();
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(julLevel);
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord record) {
                return "litsxg " + record.getLevel().getName() + " " + formatMessage(record) + System.lineSeparator();
            }
        });
        root.addHandler(handler);
        root.setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("litsxg").setLevel(julLevel);
    }
}

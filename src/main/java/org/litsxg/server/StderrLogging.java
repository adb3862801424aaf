package org.litsxg.server;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.text.MessageFormat;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;

/**
 * Plain one-line log records on stderr, nothing else: no file, no structure, no access log.
 * Format: {@code litsxg <LEVEL> <message>}, LEVEL one of SEVERE, WARNING, INFO, FINE.
 *
 * <p>The server's own records go through {@link #logger()}, a {@link System.Logger} that writes
 * to stderr itself, with a threshold that nothing else can change. They used to go through
 * {@code java.util.logging}, whose level and handler live in the global {@code LogManager}:
 * in about one first start in three of a freshly built jar (ServerProcessIT, 2026-12-03) the
 * debug records stopped after start-up while INFO ones still came, something in the JVM
 * resetting that global state. Records of libraries (the SQLite driver logs through
 * {@code java.util.logging}) still go there: warnings and worse, in the same format.
 */
final class StderrLogging {
    private static final StderrLogger LOGGER = new StderrLogger();

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

    /** The server's logger; records below the level given to {@link #install} are dropped. */
    static Logger logger() {
        return LOGGER;
    }

    static void install(Level level) {
        LOGGER.threshold = level;
        LogManager.getLogManager().reset();
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(java.util.logging.Level.WARNING);
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord record) {
                return "litsxg " + record.getLevel().getName() + " " + formatMessage(record) + System.lineSeparator();
            }
        });
        root.addHandler(handler);
        root.setLevel(java.util.logging.Level.WARNING);
    }

    /** The names the records have always carried (those of java.util.logging). */
    static String levelName(Level level) {
        return switch (level) {
            case ERROR -> "SEVERE";
            case WARNING -> "WARNING";
            case INFO -> "INFO";
            case DEBUG -> "FINE";
            case TRACE -> "FINER";
            default -> level.getName();
        };
    }

    static final class StderrLogger implements Logger {
        volatile Level threshold = Level.INFO;

        @Override
        public String getName() {
            return "litsxg";
        }

        @Override
        public boolean isLoggable(Level level) {
            return level != Level.OFF && threshold != Level.OFF && level.getSeverity() >= threshold.getSeverity();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (isLoggable(level)) {
                write(level, msg); // the message only, as before: no stack trace on stderr
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (isLoggable(level)) {
                write(level, params == null || params.length == 0 ? format : MessageFormat.format(format, params));
            }
        }

        private static void write(Level level, String message) {
            String line = "litsxg " + levelName(level) + " " + message + System.lineSeparator();
            synchronized (System.err) {
                System.err.print(line);
                System.err.flush();
            }
        }
    }
}

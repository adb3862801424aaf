package org.litsxg;

/** A start-up failure with its exit code and one line for stderr. */
public final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public StartupException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}

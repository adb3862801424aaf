package org.litsxg;

/** Process exit codes of the contract (brief, "Process contract"). */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FATAL = 1;
    public static final int USAGE = 2;
    public static final int CANNOT_START = 3;

    private ExitCodes() {
    }
}

package org.litsxg.server;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import org.litsxg.ExitCodes;

/** Ends the process on a run-time error: it never lingers half-alive (exit 1). */
final class Fatal {
    private Fatal() {
    }

    static void die(Logger log, String message, Throwable cause) {
        try {
            log.log(Level.ERROR, "fatal: " + message);
            System.err.flush();
        } finally {
            Runtime.getRuntime().halt(ExitCodes.FATAL);
        }
    }
}

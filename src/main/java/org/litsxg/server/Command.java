package org.litsxg.server;

/** A well-formed client command (brief, "Commands"). */
sealed interface Command {
    /** {@code AUTH <name> <secret>}. */
    record Auth(String name, String secret) implements Command {
        @Override
        public String toString() {
            return "Auth[name=" + name + ", secret=<hidden>]";
        }
    }

    /** {@code SEND <name> <text>}; the text is the rest of the line, spaces included. */
    record Send(String to, String text) implements Command {
    }

    /** {@code PING}. */
    record Ping() implements Command {
    }

    /** {@code QUIT}. */
    record Quit() implements Command {
    }
}

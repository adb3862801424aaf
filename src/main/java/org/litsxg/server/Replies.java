package org.litsxg.server;

/** The reply words and error codes of the wire contract, byte for byte. */
final class Replies {
    static final String REGISTERED = "OK registered";
    static final String AUTHENTICATED = "OK authenticated";
    static final String DELIVERED = "OK delivered";
    static final String QUEUED = "OK queued";
    static final String BYE = "OK bye";
    static final String PONG = "PONG";

    static final String UNKNOWN_COMMAND = "unknown-command";
    static final String SYNTAX = "syntax";
    static final String NOT_AUTHENTICATED = "not-authenticated";
    static final String ALREADY_AUTHENTICATED = "already-authenticated";
    static final String AUTH_FAILED = "auth-failed";
    static final String UNKNOWN_RECIPIENT = "unknown-recipient";
    static final String QUEUE_FULL = "queue-full";
    static final String BAD_ENCODING = "bad-encoding";
    static final String LINE_TOO_LONG = "line-too-long";
    static final String SESSION_REPLACED = "session-replaced";
    static final String SERVER_FULL = "server-full";
    static final String AUTH_TIMEOUT = "auth-timeout";
    static final String SLOW_CONSUMER = "slow-consumer";

    private Replies() {
    }

    static String err(String code) {
        return "ERR " + code;
    }
}

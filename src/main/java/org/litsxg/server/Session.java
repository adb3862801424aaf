package org.litsxg.server;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import org.litsxg.server.WireLines.Reply;

/**
 * The state machine of one client connection, fed one decoded, non-empty line at a time.
 *
 * <pre>
 *            AUTH (handed to the store)          OK registered / OK authenticated
 *  UNAUTHENTICATED ------------------> AUTHENTICATING ----------------------------> AUTHENTICATED
 *        ^                                   |                                          |
 *        +------ ERR auth-failed (1st, 2nd) -+                                          |
 *                                            | ERR auth-failed (3rd)                    |
 *  any state -- QUIT, end of input, ERR line-too-long, ERR auth-timeout (not while an   |
 *               AUTH that arrived in time is with the store),                            |
 *               ERR session-replaced, slow-consumer drop ---------------------------> CLOSED
 * </pre>
 *
 * <p>Every line gets exactly one reply, in order: while an AUTH is with the store the transport
 * is paused, so later lines wait for its answer. Checks run in the brief's order: command word
 * ({@code unknown-command}), arguments ({@code syntax}), state ({@code not-authenticated},
 * {@code already-authenticated}), then the command. Selector thread only; never blocks.
 */
final class Session {
    /** The third failed AUTH on one connection also closes it. */
    static final int MAX_AUTH_FAILURES = 3;

    enum State { UNAUTHENTICATED, AUTHENTICATING, AUTHENTICATED, CLOSED }

    private final Transport transport;
    private final Router router;
    private final Authenticator authenticator;
    private final Logger log;
    private State state = State.UNAUTHENTICATED;
    private String name;
    private int failures;
    private boolean deadlinePassed;

    /** {@code transport} is the session's connection, and its peer in {@code router}. */
    Session(Transport transport, Router router, Authenticator authenticator, Logger log) {
        this.transport = transport;
        this.router = router;
        this.authenticator = authenticator;
        this.log = log;
    }

    State state() {
        return state;
    }

    /** The authenticated name, or null. */
    String name() {
        return state == State.AUTHENTICATED ? name : null;
    }

    /** Handles one line; returns false when no further line may be handled now. */
    boolean onLine(String line) {
        if (state == State.CLOSED || state == State.AUTHENTICATING) {
            throw new IllegalStateException("line handed to a session in state " + state);
        }
        CommandParser.Result parsed = CommandParser.parse(line);
        if (parsed.error() != null) {
            transport.reply(parsed.error());
            return true;
        }
        Command command = parsed.command();
        if (command instanceof Command.Ping) {
            transport.reply(Reply.PONG);
            return true;
        }
        if (command instanceof Command.Quit) {
            transport.reply(Reply.BYE);
            end();
            return false;
        }
        if (command instanceof Command.Auth auth) {
            return auth(auth);
        }
        return send((Command.Send) command);
    }

    /** The line was not valid UTF-8 or held a control character; the connection stays open. */
    void onBadEncoding() {
        transport.reply(Reply.ERR_BAD_ENCODING);
    }

    void onLineTooLong() {
        fail(Reply.ERR_LINE_TOO_LONG);
    }

    /** The client closed its side: pending replies are written, then the connection closes. */
    void onEndOfInput() {
        if (state != State.CLOSED) {
            end();
        }
    }

    /**
     * The auth timeout expired. An unauthenticated connection is closed; an AUTH that arrived in
     * time but is still with the store is answered first: if it succeeds the connection stays,
     * if it fails the {@code ERR auth-failed} is followed by {@code ERR auth-timeout} and close.
     */
    void onAuthDeadline() {
        if (state == State.UNAUTHENTICATED) {
            fail(Reply.ERR_AUTH_TIMEOUT);
        } else if (state == State.AUTHENTICATING) {
            deadlinePassed = true;
        }
    }

    /** Another connection authenticated as this name; the router has already rebound it. */
    void onReplaced() {
        state = State.CLOSED;
        transport.reply(Reply.ERR_SESSION_REPLACED);
        transport.closeAfterFlush();
    }

    /**
     * The connection has written what its socket would take: the name's queue may move on
     * (the router decides how far; QUEUE-3).
     */
    void onOutputWritten() {
        if (state == State.AUTHENTICATED) {
            router.drain(name);
        }
    }

    /** The connection is gone (closed by either side, or dropped). */
    void onClosed() {
        if (state == State.AUTHENTICATED) {
            router.unbind(name, transport);
        }
        state = State.CLOSED;
    }

    private boolean auth(Command.Auth auth) {
        if (state == State.AUTHENTICATED) {
            transport.reply(Reply.ERR_ALREADY_AUTHENTICATED);
            return true;
        }
        state = State.AUTHENTICATING;
        transport.pauseInput();
        authenticator.authenticate(auth.name(), auth.secret(), outcome -> authenticated(auth.name(), outcome));
        return false;
    }

    private void authenticated(String who, IdentityStore.Outcome outcome) {
        if (outcome == IdentityStore.Outcome.REGISTERED) {
            router.register(who);
        }
        if (state != State.AUTHENTICATING) {
            return;
        }
        if (outcome == IdentityStore.Outcome.FAILED) {
            failures++;
            if (failures >= MAX_AUTH_FAILURES) {
                fail(Reply.ERR_AUTH_FAILED);
                return;
            }
            if (deadlinePassed) {
                transport.reply(Reply.ERR_AUTH_FAILED);
                fail(Reply.ERR_AUTH_TIMEOUT);
                return;
            }
            state = State.UNAUTHENTICATED;
            transport.reply(Reply.ERR_AUTH_FAILED);
            transport.resumeInput();
            return;
        }
        state = State.AUTHENTICATED;
        name = who;
        transport.reply(outcome == IdentityStore.Outcome.REGISTERED ? Reply.REGISTERED : Reply.AUTHENTICATED);
        router.bind(who, transport);
        if (state == State.AUTHENTICATED) {
            transport.resumeInput();
        }
    }

    private boolean send(Command.Send send) {
        if (state != State.AUTHENTICATED) {
            transport.reply(Reply.ERR_NOT_AUTHENTICATED);
            return true;
        }
        if (log.isLoggable(Level.DEBUG)) {
            log.log(Level.DEBUG, "SEND from " + name + " to " + send.to() + ": " + send.text());
        }
        switch (router.send(name, send.to(), send.text())) {
            case DELIVERED -> transport.reply(Reply.DELIVERED);
            case QUEUED -> transport.reply(Reply.QUEUED);
            case UNKNOWN_RECIPIENT -> transport.reply(Reply.ERR_UNKNOWN_RECIPIENT);
            case QUEUE_FULL -> transport.reply(Reply.ERR_QUEUE_FULL);
        }
        return state != State.CLOSED;
    }

    /** Ends the session after its pending replies (QUIT, end of input). */
    private void end() {
        onClosed();
        transport.closeAfterFlush();
    }

    /** Server-initiated close: the error line, then close. */
    private void fail(Reply error) {
        onClosed();
        transport.reply(error);
        transport.closeAfterFlush();
    }
}

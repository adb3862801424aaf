package org.litsxg.conformance.steps;

import java.io.IOException;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.WireClient;

/**
 * The protocol assertions every area uses: a reply's first tokens, a MSG line exactly, the
 * PING/PONG barrier, the close; and the exchanges built from them: authenticate, register, bring
 * a client online. Each fails the scenario with its clauses quoted. One per scenario, injected
 * by cucumber-picocontainer.
 */
public final class Protocol {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Secrets secrets;
    private int checks;

    public Protocol(ScenarioContext ctx, Clients clients, Secrets secrets) {
        this.ctx = ctx;
        this.clients = clients;
        this.secrets = secrets;
    }

    /**
     * Sends AUTH for {@code label}'s name and checks the reply's first two tokens are
     * {@code expected} ({@code OK registered} or {@code OK authenticated}).
     */
    public void authenticate(WireClient c, String expected) {
        String name = Clients.nameOf(c.name());
        clients.sendLine(c, "AUTH " + name + " " + secrets.secret(name));
        expectReply(c, expected);
    }

    /** Registers {@code name} on a connection of its own, then quits: the name is known and offline. */
    public void register(String name) {
        WireClient c = clients.connect(name + "#registration");
        authenticate(c, "OK registered");
        clients.sendLine(c, "QUIT");
        expectReply(c, "OK bye");
        expectClosed(c);
    }

    /** Brings {@code label} online on the scenario's server (started if needed). */
    public WireClient online(String label) {
        return online(clients.connect(label), "");
    }

    /** Brings {@code label} online on {@code instance}. */
    public WireClient online(String label, ServerInstance instance) {
        return online(clients.connect(label, instance), " from " + instance.label());
    }

    /**
     * Authenticates a fresh connection with its name's secret and accepts either {@code OK
     * registered} or {@code OK authenticated}: online, whether or not the name was known.
     */
    private WireClient online(WireClient c, String where) {
        String name = Clients.nameOf(c.name());
        clients.sendLine(c, "AUTH " + name + " " + secrets.secret(name));
        Received r = c.nextReply(ctx.settings().replyTimeout());
        boolean ok = r instanceof Received.Line line
                && (line.firstTokens(2).equals("OK registered") || line.firstTokens(2).equals("OK authenticated"));
        ctx.check(ok, c.name() + " gets OK registered or OK authenticated" + where, c.name() + " got " + r);
        return c;
    }

    /** Sends AUTH on a connection of its own, closes it, and returns the reply. */
    public Received authOnNewConnection(String name, String secret) {
        WireClient c = clients.connect(name + "#check-" + (++checks));
        clients.sendLine(c, "AUTH " + name + " " + secret);
        Received r = c.nextReply(ctx.settings().replyTimeout());
        c.close();
        return r;
    }

    /**
     * Connects to {@code s} on a connection of its own (not one of the scenario's clients), sends
     * PING and checks the answer is PONG: {@code what} is the scenario's claim.
     */
    public void pingOnce(ServerInstance s, String what) {
        WireClient c;
        try {
            c = WireClient.connect("first-client", s.address(), ctx.settings().replyTimeout(), System.nanoTime());
        } catch (IOException e) {
            throw ctx.failure(what, "the connect failed: " + e.getMessage());
        }
        try (c) {
            clients.sendLine(c, "PING");
            Received r = c.next(ctx.settings().replyTimeout());
            ctx.check(r instanceof Received.Line l && l.text().equals("PONG"), what + " (PING answered PONG)",
                    "got " + r);
        }
    }

    /** Takes the next reply (holding back MSG lines) and checks its first tokens. */
    public Received.Line expectReply(WireClient c, String expected) {
        Received r = c.nextReply(ctx.settings().replyTimeout());
        int tokens = expected.split(" ").length;
        if (r instanceof Received.Line line && line.firstTokens(tokens).equals(expected)) {
            return line;
        }
        throw ctx.failure(c.name() + " receives a reply starting \"" + expected + "\"", c.name() + " got " + r);
    }

    /** Takes the next MSG line (holding back replies) and checks it exactly. */
    public void expectMessage(WireClient c, String expected) {
        Received r = c.nextMessage(ctx.settings().replyTimeout());
        if (r instanceof Received.Line line && line.text().equals(expected)) {
            return;
        }
        throw ctx.failure(c.name() + " receives \"" + expected + "\"", c.name() + " got " + r);
    }

    /**
     * The protocol barrier: sends PING and checks that the very next line is PONG, so nothing
     * (no reply, no message) was pending before it.
     */
    public void barrier(WireClient c, String what) {
        if (c.hasHeldLines()) {
            throw ctx.failure(what, c.name() + " had already received " + c.heldLines());
        }
        clients.sendLine(c, "PING");
        Received r = c.next(ctx.settings().replyTimeout());
        if (r instanceof Received.Line line && line.text().equals("PONG")) {
            return;
        }
        throw ctx.failure(what + " (the next line after a PING is its PONG)", c.name() + " got " + r);
    }

    /** Checks that the next thing on the connection is its end. */
    public void expectClosed(WireClient c) {
        Received r = c.next(ctx.settings().replyTimeout());
        if (r instanceof Received.Closed) {
            return;
        }
        throw ctx.failure("the server closes " + c.name() + "'s connection", c.name() + " got " + r);
    }
}

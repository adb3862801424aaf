package org.litsxg.conformance.explore;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The replies the spec allows to one client line in the model's current state, each with its
 * effect on the model, and the clauses behind them (CMD-4: the line's own checks are
 * {@link Line}'s; the state checks and the commands are here).
 */
final class ReplyRules {

    private final ServerState state;
    private final Limits limits;

    ReplyRules(ServerState state, Limits limits) {
        this.state = state;
        this.limits = limits;
    }

    /**
     * The replies the spec allows to {@code line} on {@code c} now, each with its effect on the
     * model, and the clauses behind them. {@code seq} is the sequence number of the reply being
     * judged (queued messages must come after it, QUEUE-3).
     */
    void expect(Conn c, Line line, Map<String, Runnable> allowed, List<String> clauses, long seq) {
        switch (line.kind()) {
            case EMPTY -> {
            }
            case TOO_LONG -> {
                allowed.put("ERR line-too-long", () -> c.decideClose("line-too-long", "LIMIT-2"));
                clauses.addAll(List.of("LIMIT-2", "CMD-5"));
            }
            case BAD_ENCODING -> {
                allowed.put("ERR bad-encoding", () -> { });
                clauses.addAll(List.of("WIRE-7", "WIRE-8"));
            }
            case UNKNOWN -> {
                allowed.put("ERR unknown-command", () -> { });
                clauses.addAll(List.of("CMD-1", "FINAL-5"));
            }
            case SYNTAX -> {
                allowed.put("ERR syntax", () -> { });
                clauses.addAll(List.of("CMD-2", "CMD-3"));
            }
            case PING -> {
                allowed.put("PONG", () -> { });
                clauses.add("CMD-13");
            }
            case QUIT -> {
                allowed.put("OK bye", () -> c.decideClose("bye", "CMD-14"));
                clauses.add("CMD-14");
            }
            case AUTH -> expectAuth(c, line, allowed, clauses, seq);
            case SEND -> expectSend(c, line, allowed, clauses);
        }
    }

    private void expectAuth(Conn c, Line line, Map<String, Runnable> allowed, List<String> clauses, long seq) {
        String name = line.name();
        if (c.auth != null) {
            allowed.put("ERR already-authenticated", () -> { });
            clauses.add("AUTH-7");
            return;
        }
        byte[] secret = state.identities.get(name);
        if (secret == null) {
            allowed.put("OK registered", () -> {
                state.identities.put(name, line.arg());
                state.registeredEpoch.put(name, state.epoch);
                state.login(c, name, seq);
            });
            clauses.add("AUTH-1");
            return;
        }
        if (state.registeredEpoch.getOrDefault(name, state.epoch) < state.epoch) {
            clauses.addAll(List.of("STORE-2", "UPG-5"));
        }
        if (Arrays.equals(secret, line.arg())) {
            allowed.put("OK authenticated", () -> state.login(c, name, seq));
            clauses.add("AUTH-3");
            if (state.isOnline(name)) {
                clauses.addAll(List.of("AUTH-8", "AUTH-9"));
            }
        } else {
            allowed.put("ERR auth-failed", () -> {
                c.fails++;
                if (c.fails >= 3) {
                    c.decideClose("third auth-failed", "AUTH-5");
                }
            });
            clauses.addAll(List.of("AUTH-4", "AUTH-6"));
        }
    }

    private void expectSend(Conn c, Line line, Map<String, Runnable> allowed, List<String> clauses) {
        String to = line.name();
        if (c.auth == null) {
            allowed.put("ERR not-authenticated", () -> { });
            clauses.addAll(List.of("ROUTE-1", "SEC-3"));
            return;
        }
        if (!state.identities.containsKey(to)) {
            allowed.put("ERR unknown-recipient", () -> { });
            clauses.add("ROUTE-2");
            return;
        }
        byte[] msgLine = WireText.msgLine(c.auth, line.arg());
        String from = c.auth;
        Conn target = state.online.get(to);
        long now = System.nanoTime();
        boolean maybeGone = target != null && (target.clientClosed || target.everStalled);
        if (target != null && target.clientClosed && now - target.clientClosedAt >= limits.noticeNanos()) {
            state.online.remove(to);
            target = null;
            maybeGone = false;
        }
        if (target != null) {
            Conn t = target;
            allowed.put("OK delivered", () -> {
                if (!t.clientClosed) {
                    state.deliver(t, to, from, msgLine);
                }
            });
            clauses.addAll(List.of("ROUTE-3", "ROUTE-4"));
            if (!maybeGone) {
                return;
            }
            // The recipient's connection may have ended (the kit closed it and the server may
            // have noticed, ROUTE-9), or this very SEND may push it past the pending output limit
            // (LIMIT-8): then OK queued, and the name is offline from here on (LIMIT-9).
            allowed.put("OK queued", () -> {
                if (t.everStalled && !t.clientClosed) {
                    state.dropSlow(t);
                }
                if (state.online.get(to) == t) {
                    state.online.remove(to);
                }
                state.enqueue(to, from, msgLine);
            });
            clauses.addAll(List.of("LIMIT-8", "LIMIT-9", "ROUTE-9"));
            return;
        }
        if (state.queued(to) >= limits.maxQueued()) {
            allowed.put("ERR queue-full", () -> { });
            clauses.add("QUEUE-2");
        } else {
            allowed.put("OK queued", () -> state.enqueue(to, from, msgLine));
            clauses.addAll(List.of("QUEUE-1", "ROUTE-9"));
        }
    }
}

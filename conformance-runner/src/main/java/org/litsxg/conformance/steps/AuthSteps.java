package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.WireClient;

/** Steps about authentication: concurrent first use, failures, replacement, timeouts. */
public final class AuthSteps {

    private final ScenarioContext ctx;
    private final List<WireClient> crowd = new ArrayList<>();
    /** AUTH-2 rounds: per round the name, the secrets sent, and the first reply of each connection. */
    private final List<String> roundNames = new ArrayList<>();
    private final List<List<String>> roundSecrets = new ArrayList<>();
    private final List<List<String>> roundReplies = new ArrayList<>();
    /** AUTH-11 at the deadline: the connections, whether each registers, and when its AUTH was written. */
    private final List<WireClient> late = new ArrayList<>();
    private final List<Boolean> lateRegisters = new ArrayList<>();
    private final List<Long> lateWrittenAt = new ArrayList<>();

    public AuthSteps(ScenarioContext ctx) {
        this.ctx = ctx;
    }

    @Then("{conn} is authenticated as {word}")
    public void authenticatedAs(String label, String name) {
        WireClient c = ctx.client(label);
        ctx.sendLine(c, "SEND " + name + " who am i");
        ctx.expectReply(c, "OK delivered");
        ctx.expectMessage(c, "MSG " + name + " who am i");
    }

    @When("{int} connections authenticate as {word} with the same secret at the same moment")
    public void crowdSameSecret(int n, String name) {
        crowd(n, name, true);
    }

    @When("{int} connections authenticate as {word} with different secrets at the same moment")
    public void crowdDifferentSecrets(int n, String name) {
        crowd(n, name, false);
    }

    private void crowd(int n, String name, boolean same) {
        for (int i = 1; i <= n; i++) {
            crowd.add(ctx.connect(name + "#crowd-" + i));
        }
        // Every connection is open before the first AUTH is written, and the AUTHs follow
        // one another with nothing in between, so they reach the server together.
        for (int i = 0; i < n; i++) {
            String secret = same ? ctx.secret(name) : ctx.secret(name) + "-" + (i + 1);
            ctx.sendLine(crowd.get(i), "AUTH " + name + " " + secret);
        }
    }

    @When("in each of {int} rounds {int} connections authenticate as a new name with the same secret at the same moment")
    public void roundsSameSecret(int rounds, int n) {
        rounds(rounds, n, true);
    }

    @When("in each of {int} rounds {int} connections authenticate as a new name with different secrets at the same moment")
    public void roundsDifferentSecrets(int rounds, int n) {
        rounds(rounds, n, false);
    }

    /**
     * A check-then-insert race shows only when the AUTHs meet in its window, which one try may
     * miss: so the race is run {@code rounds} times, each on a new name, every connection open
     * before the first AUTH is written and the AUTHs written back to back.
     */
    private void rounds(int rounds, int n, boolean same) {
        for (int r = 1; r <= rounds; r++) {
            String name = "race" + r;
            List<WireClient> cs = new ArrayList<>();
            List<String> secrets = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                cs.add(ctx.connect(name + "#round-" + i));
                secrets.add(same ? ctx.secret(name) : ctx.secret(name) + "-" + i);
            }
            for (int i = 0; i < n; i++) {
                ctx.sendLine(cs.get(i), "AUTH " + name + " " + secrets.get(i));
            }
            List<String> replies = new ArrayList<>();
            for (WireClient c : cs) {
                Received got = c.nextReply(ctx.settings().replyTimeout());
                replies.add(got instanceof Received.Line l ? l.firstTokens(2) : got.toString());
                c.close();
            }
            roundNames.add(name);
            roundSecrets.add(secrets);
            roundReplies.add(replies);
        }
    }

    @Then("in every round exactly one of them receives {string} and every other {string}")
    public void everyRoundExactlyOne(String one, String others) {
        List<String> wrong = new ArrayList<>();
        for (int r = 0; r < roundReplies.size(); r++) {
            List<String> replies = roundReplies.get(r);
            long ones = replies.stream().filter(one::equals).count();
            long rest = replies.stream().filter(others::equals).count();
            if (ones != 1 || rest != replies.size() - 1) {
                wrong.add("round " + (r + 1) + " (" + roundNames.get(r) + "): " + replies);
            }
        }
        ctx.check(!roundReplies.isEmpty() && wrong.isEmpty(), "in each of " + roundReplies.size() + " rounds exactly one \""
                + one + "\" and every other \"" + others + "\"", wrong.size() + " of " + roundReplies.size()
                + " rounds broke it: " + String.join("; ", wrong));
        ctx.observe(roundReplies.size() + " rounds of " + roundReplies.get(0).size()
                + " simultaneous first uses, each registered exactly once");
    }

    @Then("in every round the secret answered {string} is the one that authenticates the name afterwards")
    public void winnerSecretHolds(String registered) {
        List<String> wrong = new ArrayList<>();
        for (int r = 0; r < roundReplies.size(); r++) {
            int winner = roundReplies.get(r).indexOf(registered);
            if (winner < 0) {
                continue;
            }
            String name = roundNames.get(r);
            WireClient c = ctx.connect(name + "#after");
            ctx.sendLine(c, "AUTH " + name + " " + roundSecrets.get(r).get(winner));
            Received got = c.nextReply(ctx.settings().replyTimeout());
            String first = got instanceof Received.Line l ? l.firstTokens(2) : got.toString();
            if (!first.equals("OK authenticated")) {
                wrong.add("round " + (r + 1) + ": the secret of connection " + (winner + 1) + " got " + first);
            }
            c.close();
        }
        ctx.check(wrong.isEmpty(), "the secret whose AUTH was answered \"" + registered
                + "\" authenticates the name afterwards (no later AUTH overwrote it)", String.join("; ", wrong));
    }

    private final List<String> replacementProblems = new ArrayList<>();
    private int replacementRounds;

    /**
     * Session replacement raced {@code rounds} times: each round {@code n} new connections of
     * {@code label}'s name authenticate back to back while the session left by the previous
     * round is online. Every new AUTH must succeed (AUTH-8); the older session and every new one
     * but one must get ERR session-replaced and the close, and the one left must receive the
     * next message for the name (AUTH-9).
     */
    @When("in each of {int} rounds {int} more connections of {conn} authenticate at the same moment")
    public void replacementRounds(int rounds, int n, String label) {
        String name = ScenarioContext.nameOf(label);
        WireClient current = ctx.client(label);
        WireClient sender = ctx.clients().stream().filter(c -> !ScenarioContext.nameOf(c.name()).equals(name))
                .findFirst().orElseThrow(() -> new IllegalStateException("no other client online to send with"));
        String from = ScenarioContext.nameOf(sender.name());
        Duration t = ctx.settings().replyTimeout();
        for (int r = 1; r <= rounds && replacementProblems.isEmpty(); r++) {
            replacementRounds = r;
            List<WireClient> cs = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                cs.add(ctx.connect(name + "#r" + r + "-" + i));
            }
            for (WireClient c : cs) {
                ctx.sendLine(c, "AUTH " + name + " " + ctx.secret(name));
            }
            for (WireClient c : cs) {
                Received got = c.nextReply(t);
                if (!(got instanceof Received.Line l && l.firstTokens(2).equals("OK authenticated"))) {
                    replacementProblems.add("round " + r + ": " + c.name() + " got " + got);
                }
            }
            String text = "round " + r;
            ctx.sendLine(sender, "SEND " + name + " " + text);
            ctx.sentText(text);
            ctx.expectReply(sender, "OK delivered");
            Received old = current.next(t);
            Received oldEnd = current.next(t);
            if (!(old instanceof Received.Line l && l.firstTokens(2).equals("ERR session-replaced"))
                    || !(oldEnd instanceof Received.Closed)) {
                replacementProblems.add("round " + r + ": the older session " + current.name() + " got " + old
                        + ", then " + oldEnd);
            }
            // Each replaced session's ERR was written before the AUTH that replaced it was answered,
            // and the message before its OK delivered: both are already on their way.
            Duration soon = ctx.scaled(Duration.ofSeconds(2));
            List<WireClient> left = new ArrayList<>();
            for (WireClient c : cs) {
                Received got = c.next(soon);
                if (got instanceof Received.Line l && l.text().equals("MSG " + from + " " + text)) {
                    left.add(c);
                } else if (got instanceof Received.Line l && l.firstTokens(2).equals("ERR session-replaced")) {
                    Received end = c.next(t);
                    if (!(end instanceof Received.Closed)) {
                        replacementProblems.add("round " + r + ": " + c.name() + " was replaced, then got " + end);
                    }
                } else {
                    replacementProblems.add("round " + r + ": " + c.name() + " got neither ERR session-replaced"
                            + " nor the message: " + got);
                }
            }
            if (left.size() != 1) {
                replacementProblems.add("round " + r + ": " + left.size() + " sessions received the message");
            }
            if (!left.isEmpty()) {
                current = left.get(0);
            }
        }
    }

    @Then("in every round each of them got {string}, every older session {string} and the close, and bob's next message reached the one left")
    public void replacementsHeld(String ok, String replaced) {
        ctx.check(replacementProblems.isEmpty(), "in each of the rounds every AUTH got \"" + ok + "\", every older"
                + " session \"" + replaced + "\" and the close, and exactly one session was left",
                "after " + replacementRounds + " rounds: " + String.join("; ", replacementProblems));
        ctx.observe(replacementRounds + " rounds of simultaneous session replacement");
    }

    @Then("exactly one of them receives {string} and every other {string}")
    public void exactlyOne(String one, String others) {
        List<String> got = new ArrayList<>();
        int ones = 0;
        int rest = 0;
        for (WireClient c : crowd) {
            Received r = c.nextReply(ctx.settings().replyTimeout());
            String first = r instanceof Received.Line l ? l.firstTokens(2) : r.toString();
            got.add(c.name() + ": " + first);
            if (first.equals(one)) {
                ones++;
            } else if (first.equals(others)) {
                rest++;
            }
        }
        ctx.check(ones == 1 && rest == crowd.size() - 1,
                "exactly one \"" + one + "\" and " + (crowd.size() - 1) + " \"" + others + "\"", got.toString());
    }

    @Given("{conn} has failed to authenticate as {word} {int} times")
    public void failedTimes(String label, String name, int times) {
        WireClient c = ctx.connect(label);
        for (int i = 1; i <= times; i++) {
            ctx.sendLine(c, "AUTH " + name + " not-the-secret-" + i);
            ctx.expectReply(c, "ERR auth-failed");
        }
    }

    @Given("{conn}'s session has been replaced by {conn}")
    public void replaced(String oldLabel, String newLabel) {
        WireClient fresh = ctx.connect(newLabel);
        ctx.authenticate(fresh, "OK authenticated");
        ctx.expectReply(ctx.client(oldLabel), "ERR session-replaced");
        ctx.expectClosed(ctx.client(oldLabel));
    }

    @When("{conn} keeps sending PING without authenticating")
    public void keepsPinging(String label) {
        WireClient c = ctx.client(label);
        Duration limit = Duration.ofSeconds(Long.parseLong(ctx.server().get("auth_timeout")))
                .plus(ctx.settings().replyTimeout());
        long deadline = System.nanoTime() + limit.toNanos();
        Duration pace = ctx.scaled(Duration.ofMillis(150));
        while (System.nanoTime() < deadline) {
            ctx.sendLine(c, "PING");
            Received r = c.next(ctx.settings().replyTimeout());
            if (!(r instanceof Received.Line l) || !l.text().equals("PONG")) {
                c.pushBack(r);
                return;
            }
            Optional<Received> early = c.firstArrivalWithin(pace);
            if (early.isPresent()) {
                return;
            }
        }
    }

    @Then("{conn} receives {string} about {int} second(s) after connecting")
    public void receivesAbout(String label, String expected, int seconds) {
        WireClient c = ctx.client(label);
        Duration nominal = Duration.ofSeconds(seconds);
        Received r = c.nextReply(nominal.plus(ctx.settings().replyTimeout()));
        ctx.check(r instanceof Received.Line l && l.firstTokens(2).equals(expected),
                label + " receives \"" + expected + "\"", "got " + r);
        Received.Line line = (Received.Line) r;
        long afterMs = (line.at() - c.connectedAt()) / 1_000_000;
        // Not before the deadline (counted from just before the kit's connect, which is no later
        // than the server's accept), and within a second (scaled) after it.
        long earliest = nominal.toMillis();
        long latest = nominal.toMillis() + ctx.scaled(Duration.ofSeconds(1)).toMillis();
        ctx.check(afterMs >= earliest && afterMs <= latest,
                "\"" + expected + "\" between " + earliest + " and " + latest + " ms after connecting",
                "it arrived " + afterMs + " ms after connecting");
    }

    /**
     * The first line comes well after accept: the deadline must still count from accept (a
     * build that starts or restarts the timer at the first line closes too late).
     */
    @When("{conn} pings {int} ms after connecting and receives {string}")
    public void pingsLate(String label, int ms, String expected) {
        WireClient c = ctx.client(label);
        long wait = c.connectedAt() + ms * 1_000_000L - System.nanoTime();
        Optional<Received> early = c.firstArrivalWithin(Duration.ofNanos(Math.max(0, wait)));
        ctx.check(early.isEmpty(), "nothing arrives at " + label + " in the first " + ms + " ms",
                "got " + early.map(Object::toString).orElse(""));
        ctx.sendLine(c, "PING");
        ctx.expectReply(c, expected);
    }

    /**
     * Opens {@code n} connections at once and, {@code beforeMs} before the earliest of their auth
     * deadlines, writes an AUTH on each, the last-opened first: every odd one registers a new name, every even one tries
     * {@code known} with a wrong secret. So many checks (PBKDF2, and an INSERT for each
     * registration) queue up in the build that some are still running when the deadline passes.
     */
    @When("{int} connections send AUTH {int} ms before their auth deadline, half registering new names and half with a wrong secret for {word}")
    public void authAtTheDeadline(int n, int beforeMs, String known) {
        Duration timeout = Duration.ofSeconds(Long.parseLong(ctx.server().get("auth_timeout")));
        for (int i = 1; i <= n; i++) {
            late.add(ctx.connect("late" + i));
        }
        long sendAt = late.get(0).connectedAt() + timeout.toNanos() - beforeMs * 1_000_000L;
        // Polled every millisecond in this thread: a pause may overshoot by its poll interval.
        org.awaitility.Awaitility.await("the moment " + beforeMs + " ms before the auth deadline")
                .atMost(timeout.plusSeconds(2)).pollInSameThread().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1)).until(() -> System.nanoTime() >= sendAt);
        // Written to the last-opened connection first: the first-opened, whose deadline comes
        // first, then wait behind every other check, so theirs are the checks still running.
        for (int k = 0; k < n; k++) {
            lateWrittenAt.add(0L);
            lateRegisters.add(false);
        }
        for (int i = n - 1; i >= 0; i--) {
            boolean registers = i % 2 == 0;
            String name = registers ? "late" + (i + 1) : known;
            String secret = registers ? ctx.secret(name) : "wrong-" + ctx.secret(known);
            ctx.sendLine(late.get(i), "AUTH " + name + " " + secret);
            lateWrittenAt.set(i, System.nanoTime());
            lateRegisters.set(i, registers);
        }
    }

    @Then("each of those AUTHs is answered: a registration stays authenticated; a wrong secret gets {string}, then {string} and the close")
    public void answeredAtTheDeadline(String failed, String timedOut) {
        long timeout = Duration.ofSeconds(Long.parseLong(ctx.server().get("auth_timeout"))).toNanos();
        // connectedAt is stamped just before the connect, so the build's deadline is no earlier
        // than connectedAt + timeout. An AUTH written less than this margin before it (time for
        // the bytes to arrive) is not judged.
        long margin = Duration.ofMillis(25).toNanos();
        Duration wait = ctx.settings().replyTimeout().plusNanos(timeout);
        List<String> wrong = new ArrayList<>();
        int judged = 0;
        int answeredLate = 0;
        java.util.Set<Integer> stays = new java.util.HashSet<>();
        for (int i = 0; i < late.size(); i++) {
            WireClient c = late.get(i);
            long deadline = c.connectedAt() + timeout;
            boolean judge = lateWrittenAt.get(i) < deadline - margin;
            judged += judge ? 1 : 0;
            Received first = c.next(wait);
            String f = first instanceof Received.Line l ? l.firstTokens(2) : first.toString();
            if (first instanceof Received.Line l && l.at() > deadline
                    && !f.equals(timedOut)) {
                answeredLate++;
            }
            if (lateRegisters.get(i)) {
                if (f.equals("OK registered")) {
                    stays.add(i);
                    continue; // stays: checked with a barrier once every deadline has passed
                }
                if (judge || !f.equals(timedOut)) {
                    wrong.add(c.name() + " (registering): " + f);
                }
                continue;
            }
            if (f.equals(failed)) {
                Received second = c.next(wait);
                String s2 = second instanceof Received.Line l ? l.firstTokens(2) : second.toString();
                Received third = s2.equals(timedOut) ? c.next(wait) : second;
                if (!s2.equals(timedOut) || !(third instanceof Received.Closed)) {
                    wrong.add(c.name() + " (wrong secret): " + f + ", then " + s2 + ", then " + third);
                }
            } else if (judge || !f.equals(timedOut)) {
                wrong.add(c.name() + " (wrong secret): " + f + " first");
            }
        }
        if (judged == 0) {
            long lateBy = (lateWrittenAt.get(late.size() - 1) - (late.get(late.size() - 1).connectedAt() + timeout
                    - margin)) / 1_000_000;
            throw new org.litsxg.conformance.support.Unimplemented("the kit could not write any AUTH at least "
                    + margin / 1_000_000 + " ms before the deadline (the first was written " + lateBy
                    + " ms too late: machine too loaded)");
        }
        long lastDeadline = late.stream().mapToLong(WireClient::connectedAt).max().orElseThrow() + timeout;
        // Until every deadline has passed (and 300 ms more), nothing may arrive on a connection
        // that stays: watched (Awaitility's during) until then or until something arrives; the
        // barrier below then judges each.
        long watchUntil = lastDeadline + ctx.scaled(Duration.ofMillis(300)).toNanos();
        for (int i : stays) {
            late.get(i).firstArrivalWithin(Duration.ofNanos(Math.max(0, watchUntil - System.nanoTime())));
        }
        for (int i = 0; i < late.size(); i++) {
            if (!stays.contains(i)) {
                continue;
            }
            WireClient c = late.get(i);
            try {
                ctx.barrier(c, c.name() + " stays authenticated after the deadline");
            } catch (AssertionError e) {
                wrong.add(c.name() + " (registered): " + e.getMessage().lines().reduce((a, b) -> b).orElse(""));
            }
        }
        ctx.check(wrong.isEmpty(), "every AUTH received before the deadline is answered first; a registration then"
                        + " stays, a wrong secret gets \"" + failed + "\", then \"" + timedOut + "\" and the close ("
                        + judged + " of " + late.size() + " AUTHs written at least " + margin / 1_000_000
                        + " ms before the deadline; " + answeredLate + " answered after it)",
                String.join("; ", wrong));
        ctx.observe(late.size() + " AUTHs at the deadline: " + judged + " judged, " + answeredLate
                + " still being checked when it passed (answered after it)");
    }

    @When("{conn} stays idle for {int} seconds")
    public void staysIdle(String label, int seconds) {
        WireClient c = ctx.client(label);
        Duration idle = Duration.ofSeconds(seconds);
        Optional<Received> got = c.firstArrivalWithin(idle);
        ctx.check(got.isEmpty(), "nothing arrives at " + label + " while it is idle for " + seconds + " s",
                "got " + got.map(Object::toString).orElse(""));
    }
}

package org.litsxg.conformance.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.awaitility.Awaitility;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.Unimplemented;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps about the auth timeout (AUTH-11): PINGs do not extend it, it counts from accept, an AUTH
 * at the deadline is answered first, an authenticated connection may stay idle.
 */
public final class AuthTimeoutSteps {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;
    /** AUTH-11 at the deadline: the connections, whether each registers, and when its AUTH was written. */
    private final List<WireClient> late = new ArrayList<>();
    private final List<Boolean> lateRegisters = new ArrayList<>();
    private final List<Long> lateWrittenAt = new ArrayList<>();

    public AuthTimeoutSteps(ScenarioContext ctx, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    @When("{conn} keeps sending PING without authenticating")
    public void keepsPinging(String label) {
        WireClient c = clients.client(label);
        Duration limit = Duration.ofSeconds(Long.parseLong(ctx.server().get("auth_timeout")))
                .plus(ctx.settings().replyTimeout());
        long deadline = System.nanoTime() + limit.toNanos();
        Duration pace = ctx.scaled(Duration.ofMillis(150));
        while (System.nanoTime() < deadline) {
            clients.sendLine(c, "PING");
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
        WireClient c = clients.client(label);
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
        WireClient c = clients.client(label);
        long wait = c.connectedAt() + ms * 1_000_000L - System.nanoTime();
        Optional<Received> early = c.firstArrivalWithin(Duration.ofNanos(Math.max(0, wait)));
        ctx.check(early.isEmpty(), "nothing arrives at " + label + " in the first " + ms + " ms",
                "got " + early.map(Object::toString).orElse(""));
        clients.sendLine(c, "PING");
        protocol.expectReply(c, expected);
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
            late.add(clients.connect("late" + i));
        }
        long sendAt = late.get(0).connectedAt() + timeout.toNanos() - beforeMs * 1_000_000L;
        // Polled every millisecond in this thread: a pause may overshoot by its poll interval.
        Awaitility.await("the moment " + beforeMs + " ms before the auth deadline")
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
            String secret = registers ? secrets.secret(name) : "wrong-" + secrets.secret(known);
            clients.sendLine(late.get(i), "AUTH " + name + " " + secret);
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
        Set<Integer> stays = new HashSet<>();
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
            throw new Unimplemented("the kit could not write any AUTH at least "
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
                protocol.barrier(c, c.name() + " stays authenticated after the deadline");
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
        WireClient c = clients.client(label);
        Duration idle = Duration.ofSeconds(seconds);
        Optional<Received> got = c.firstArrivalWithin(idle);
        ctx.check(got.isEmpty(), "nothing arrives at " + label + " while it is idle for " + seconds + " s",
                "got " + got.map(Object::toString).orElse(""));
    }
}

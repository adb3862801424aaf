package org.litsxg.conformance.steps;

import io.cucumber.java.After;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.litsxg.conformance.support.Swarm;

/**
 * Hostile acts of many connections (area HOST): silent clients, brute force, churn. They use a
 * {@link Swarm} (one selector, no thread per connection).
 */
public final class SwarmSteps {

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Secrets secrets;
    private final HostileAct act;
    private Swarm swarm;
    private List<Swarm.Peer> group = List.of();

    public SwarmSteps(ScenarioContext ctx, Servers servers, Secrets secrets, HostileAct act) {
        this.ctx = ctx;
        this.servers = servers;
        this.secrets = secrets;
        this.act = act;
    }

    private Swarm swarm() {
        if (swarm == null) {
            try {
                swarm = new Swarm(servers.running().address());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return swarm;
    }

    private List<Swarm.Peer> open(int n) {
        return open(n, p -> { });
    }

    private List<Swarm.Peer> open(int n, Consumer<Swarm.Peer> first) {
        try {
            return swarm().open(n, ctx.scaled(Duration.ofSeconds(30)), first);
        } catch (IOException e) {
            throw ctx.failure(n + " connections are accepted", e.getMessage());
        }
    }

    private boolean run(BooleanSupplier done, Duration timeout) {
        try {
            return swarm().runUntil(done, timeout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @When("{int} clients connect and stay silent")
    public void silent(int n) {
        act.starts();
        group = open(n);
    }

    @Then("each of them receives {string} and is disconnected")
    public void eachReceivesAndClosed(String expected) {
        Duration timeout = ctx.scaled(Duration.ofSeconds(30));
        run(() -> group.stream().allMatch(Swarm.Peer::isEnded), timeout);
        act.ends();
        List<String> wrong = new ArrayList<>();
        int ok = 0;
        for (Swarm.Peer p : group) {
            boolean right = p.endedByServer() && p.lines().size() == 1
                    && (p.lines().get(0).equals(expected) || p.lines().get(0).startsWith(expected + " "));
            if (right) {
                ok++;
            } else if (wrong.size() < 5) {
                wrong.add("connection " + p.index() + ": " + p.lines() + ", "
                        + (p.isEnded() ? p.ended() : "still open"));
            }
        }
        ctx.check(ok == group.size(), "each of the " + group.size() + " connections receives exactly \"" + expected
                + "\", then the server closes it (within " + timeout.toMillis() + " ms)",
                ok + " did; for example " + wrong);
    }

    @Then("{int} new connections are accepted and served")
    public void newServed(int n) {
        // Each PING goes out as soon as its connection is made, well within the auth timeout.
        List<Swarm.Peer> fresh = open(n, p -> p.writeLine("PING"));
        run(() -> fresh.stream().allMatch(p -> !p.lines().isEmpty() || p.isEnded()), ctx.settings().replyTimeout());
        Predicate<Swarm.Peer> pong = p -> !p.lines().isEmpty() && p.lines().get(0).equals("PONG");
        List<String> wrong = fresh.stream().filter(pong.negate())
                .limit(5).map(p -> "connection " + p.index() + ": " + p.lines() + (p.isEnded() ? ", " + p.ended() : ""))
                .toList();
        long served = fresh.stream().filter(pong).count();
        ctx.check(served == n, "each of " + n + " new connections is accepted and its PING answered PONG: the"
                + " connections the server closed no longer count", served + " were; for example " + wrong);
        fresh.forEach(Swarm.Peer::close);
    }

    @When("{word} tries {int} wrong secrets for {word} in one write on each of {int} connections")
    public void bruteForce(String attacker, int tries, String victim, int connections) {
        act.starts();
        group = open(connections);
        for (Swarm.Peer p : group) {
            StringBuilder out = new StringBuilder();
            for (int i = 1; i <= tries; i++) {
                String wrong = "guess-" + p.index() + "-" + i;
                secrets.secret(attacker + "#guess-" + p.index() + "-" + i, wrong);
                out.append("AUTH ").append(victim).append(' ').append(wrong).append('\n');
            }
            p.write(out.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    @Then("each of those connections gets {int} replies {string} and nothing else, and is closed")
    public void eachGetsThenClosed(int count, String expected) {
        run(() -> group.stream().allMatch(Swarm.Peer::isEnded), ctx.scaled(Duration.ofSeconds(30)));
        act.ends();
        List<String> expectedLines = Collections.nCopies(count, expected);
        List<String> wrong = new ArrayList<>();
        for (Swarm.Peer p : group) {
            List<String> firsts = p.lines().stream().map(l -> String.join(" ",
                    Arrays.asList(l.split(" ")).subList(0, Math.min(2, l.split(" ").length)))).toList();
            if (!firsts.equals(expectedLines) || !p.endedByServer()) {
                wrong.add("connection " + p.index() + ": " + p.lines() + ", " + (p.isEnded() ? p.ended() : "still open"));
            }
        }
        ctx.check(wrong.isEmpty(), "each connection gets exactly " + count + " x \"" + expected
                + "\" and is then closed by the server, the lines after the last failure unanswered", String.join("; ",
                wrong.subList(0, Math.min(5, wrong.size()))));
    }

    @When("{int} clients connect and disconnect in every way: at once, after their reply, mid-line without reading,"
            + " and by reset")
    public void churn(int n) {
        act.starts();
        int batch = 250;
        List<Swarm.Peer> waited = new ArrayList<>();
        for (int done = 0; done < n; done += batch) {
            List<Swarm.Peer> peers = open(Math.min(batch, n - done));
            for (Swarm.Peer p : peers) {
                switch (p.index() % 4) {
                    case 0 -> p.close();
                    case 1 -> {
                        p.writeLine("PING");
                        waited.add(p);
                    }
                    case 2 -> {
                        p.write("PING\nSEND nobody half a li".getBytes(StandardCharsets.US_ASCII));
                        p.closeWhenWritten();
                    }
                    default -> {
                        p.write("PING\nPING\nPI".getBytes(StandardCharsets.US_ASCII));
                        p.reset();
                    }
                }
            }
            run(() -> peers.stream().allMatch(p -> p.isEnded() || !p.lines().isEmpty()), ctx.settings().replyTimeout());
            peers.forEach(Swarm.Peer::close);
        }
        group = waited;
        act.ends();
    }

    @Then("every one of them that waited for its reply got {string}")
    public void waitedGot(String expected) {
        List<Swarm.Peer> wrong = group.stream().filter(p -> !p.lines().equals(List.of(expected))).toList();
        ctx.check(!group.isEmpty() && wrong.isEmpty(), "each of the " + group.size()
                + " clients that waited for its reply got exactly \"" + expected + "\"", wrong.size() + " did not;"
                + " for example " + wrong.stream().limit(3).map(p -> p.index() + ": " + p.lines() + " " + p.ended())
                .toList());
    }

    @After(order = 30)
    public void releaseSwarm() {
        if (swarm != null) {
            swarm.close();
        }
    }
}

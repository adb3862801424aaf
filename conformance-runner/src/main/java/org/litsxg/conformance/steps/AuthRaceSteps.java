package org.litsxg.conformance.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.util.ArrayList;
import java.util.List;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps about concurrent first use (AUTH-2): many connections authenticate as one new name at
 * the same moment, once or in rounds; exactly one registers, and its secret holds.
 */
public final class AuthRaceSteps {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Secrets secrets;
    private final List<WireClient> crowd = new ArrayList<>();
    /** AUTH-2 rounds: per round the name, the secrets sent, and the first reply of each connection. */
    private final List<String> roundNames = new ArrayList<>();
    private final List<List<String>> roundSecrets = new ArrayList<>();
    private final List<List<String>> roundReplies = new ArrayList<>();

    public AuthRaceSteps(ScenarioContext ctx, Clients clients, Secrets secrets) {
        this.ctx = ctx;
        this.clients = clients;
        this.secrets = secrets;
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
            crowd.add(clients.connect(name + "#crowd-" + i));
        }
        // Every connection is open before the first AUTH is written, and the AUTHs follow
        // one another with nothing in between, so they reach the server together.
        for (int i = 0; i < n; i++) {
            String secret = same ? secrets.secret(name) : secrets.secret(name) + "-" + (i + 1);
            clients.sendLine(crowd.get(i), "AUTH " + name + " " + secret);
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
            List<String> sent = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                cs.add(clients.connect(name + "#round-" + i));
                sent.add(same ? secrets.secret(name) : secrets.secret(name) + "-" + i);
            }
            for (int i = 0; i < n; i++) {
                clients.sendLine(cs.get(i), "AUTH " + name + " " + sent.get(i));
            }
            List<String> replies = new ArrayList<>();
            for (WireClient c : cs) {
                Received got = c.nextReply(ctx.settings().replyTimeout());
                replies.add(got instanceof Received.Line l ? l.firstTokens(2) : got.toString());
                c.close();
            }
            roundNames.add(name);
            roundSecrets.add(sent);
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
            WireClient c = clients.connect(name + "#after");
            clients.sendLine(c, "AUTH " + name + " " + roundSecrets.get(r).get(winner));
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
}

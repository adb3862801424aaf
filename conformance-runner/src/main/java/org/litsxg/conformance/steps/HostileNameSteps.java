package org.litsxg.conformance.steps;

import io.cucumber.datatable.DataTable;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.WireClient;

/**
 * Names and secrets at and beyond their limits, each AUTH on a connection of its own, and the
 * secrets so registered checked byte for byte.
 */
public final class HostileNameSteps {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Secrets secrets;
    private final HostileAct act;
    private final List<String[]> authRows = new ArrayList<>();

    public HostileNameSteps(ScenarioContext ctx, Clients clients, Secrets secrets, HostileAct act) {
        this.ctx = ctx;
        this.clients = clients;
        this.secrets = secrets;
        this.act = act;
    }

    /**
     * Each row: an AUTH with a generated name of the given length and a secret of the given
     * number of bytes, built from the given character (so {@code é} makes 2-byte characters).
     */
    @When("each of these AUTH lines is sent on a new connection:")
    public void authLines(DataTable table) {
        int row = 0;
        act.starts();
        for (Map<String, String> r : table.asMaps()) {
            row++;
            int nameLength = Integer.parseInt(r.get("name length"));
            int secretBytes = Integer.parseInt(r.get("secret bytes"));
            String ch = r.get("secret made of");
            String name = nameOfLength(row, nameLength);
            String secret = secretOfBytes(ch, secretBytes);
            secrets.secret(name, secret);
            WireClient c = clients.connect("limits-" + row);
            clients.sendLine(c, "AUTH " + name + " " + secret);
            Received reply = c.nextReply(ctx.settings().replyTimeout());
            String got = reply instanceof Received.Line l ? l.firstTokens(r.get("reply").split(" ").length)
                    : reply.toString();
            authRows.add(new String[] {name, secret, r.get("reply"), got,
                nameLength + "-character name, " + secretBytes + "-byte secret of " + ch});
            c.close();
        }
        act.ends();
    }

    /** A name of {@code length} characters from [a-z0-9], distinct per row. */
    static String nameOfLength(int row, int length) {
        String base = "r" + row + "n";
        StringBuilder s = new StringBuilder(base);
        while (s.length() < length) {
            s.append((char) ('a' + s.length() % 26));
        }
        return s.substring(0, length);
    }

    /** A secret of exactly {@code bytes} UTF-8 bytes made of {@code ch}, padded with ASCII. */
    static String secretOfBytes(String ch, int bytes) {
        int size = ch.getBytes(StandardCharsets.UTF_8).length;
        StringBuilder s = new StringBuilder();
        while (s.toString().getBytes(StandardCharsets.UTF_8).length + size <= bytes) {
            s.append(ch);
        }
        while (s.toString().getBytes(StandardCharsets.UTF_8).length < bytes) {
            s.append('z');
        }
        return s.toString();
    }

    @Then("each AUTH line got the reply shown beside it")
    public void authRepliesAsShown() {
        List<String> wrong = authRows.stream().filter(r -> !r[2].equals(r[3]))
                .map(r -> r[4] + ": " + r[3] + " (expected " + r[2] + ")").toList();
        ctx.check(!authRows.isEmpty() && wrong.isEmpty(), "every AUTH line answered as the table shows",
                String.join("; ", wrong));
    }

    @Then("each name registered that way authenticates with its whole secret, and not with its last byte changed")
    public void wholeSecret() {
        List<String> wrong = new ArrayList<>();
        int i = 0;
        for (String[] r : authRows) {
            if (!r[2].equals("OK registered")) {
                continue;
            }
            String name = r[0];
            String secret = r[1];
            String changed = secret.substring(0, secret.length() - 1)
                    + (secret.charAt(secret.length() - 1) == 'z' ? 'y' : 'z');
            WireClient c = clients.connect("recheck-" + (++i));
            clients.sendLine(c, "AUTH " + name + " " + changed);
            String first = firstTwo(c.nextReply(ctx.settings().replyTimeout()));
            clients.sendLine(c, "AUTH " + name + " " + secret);
            String second = firstTwo(c.nextReply(ctx.settings().replyTimeout()));
            if (!first.equals("ERR auth-failed") || !second.equals("OK authenticated")) {
                wrong.add(r[4] + ": last byte changed got " + first + ", whole secret got " + second);
            }
            c.close();
        }
        ctx.check(i > 0 && wrong.isEmpty(), "every byte of a registered secret counts: the secret with its last"
                + " byte changed gets ERR auth-failed, the whole secret OK authenticated", String.join("; ", wrong));
    }

    private static String firstTwo(Received r) {
        return r instanceof Received.Line l ? l.firstTokens(2) : r.toString();
    }
}

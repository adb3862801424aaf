package org.litsxg.conformance.steps;

import io.cucumber.java.en.Then;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.Transcript;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps about the form of every line a connection received (WIRE-10, WIRE-11, WIRE-14): replies
 * of the forms the spec names, bare LF and UTF-8; and the informational records of free text and
 * of MSG lines between replies.
 */
public final class ReplyFormSteps {

    /** Every reply word and error code the spec names (WIRE-10). */
    static final Set<String> REPLY_FORMS = Set.of(
            "OK registered", "OK authenticated", "OK delivered", "OK queued", "OK bye", "PONG",
            "ERR bad-encoding", "ERR unknown-command", "ERR syntax", "ERR not-authenticated",
            "ERR already-authenticated", "ERR auth-failed", "ERR unknown-recipient", "ERR queue-full",
            "ERR session-replaced", "ERR server-full", "ERR auth-timeout", "ERR line-too-long",
            "ERR slow-consumer");

    private final ScenarioContext ctx;
    private final Clients clients;

    public ReplyFormSteps(ScenarioContext ctx, Clients clients) {
        this.ctx = ctx;
        this.clients = clients;
    }

    @Then("every reply {names} received has a form the spec names")
    public void replyFormsOfAll(List<String> labels) {
        labels.forEach(this::replyForms);
    }

    @Then("every line {conn} received ended in a bare LF and was valid UTF-8")
    public void bareLf(String label) {
        WireClient c = clients.client(label);
        List<String> bad = new ArrayList<>();
        for (byte[] raw : c.rawLines()) {
            boolean cr = raw.length > 0 && raw[raw.length - 1] == '\r';
            boolean utf8 = Arrays.equals(
                    new String(raw, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8), raw);
            if (cr || !utf8) {
                bad.add("\"" + Transcript.render(raw) + "\""
                        + (cr ? " ends in CR LF" : "") + (utf8 ? "" : " is not valid UTF-8"));
            }
        }
        ctx.check(!c.rawLines().isEmpty() && bad.isEmpty(), "every server line is UTF-8 ending in a bare LF",
                c.rawLines().isEmpty() ? "no line received" : String.join("; ", bad));
    }

    /** Checks every reply one connection received (WIRE-10). */
    void replyForms(String label) {
        List<String> bad = new ArrayList<>();
        List<byte[]> raw = clients.client(label).rawLines();
        for (byte[] b : raw) {
            Received.Line line = new Received.Line(new String(b, StandardCharsets.UTF_8), b);
            if (line.isMessage()) {
                continue;
            }
            String t = line.text();
            boolean ok = t.equals("PONG")
                    || t.matches("(OK|ERR) [a-z-]+( .*)?") && REPLY_FORMS.contains(line.firstTokens(2));
            if (!ok) {
                bad.add("\"" + t + "\"");
            }
        }
        ctx.check(!raw.isEmpty() && bad.isEmpty(), "every reply is OK <word>, PONG or ERR <code> with a word or code"
                + " the spec names", raw.isEmpty() ? "no line received" : "replies not of that form: " + bad);
    }

    @Then("the kit records whether the replies {conn} received carry free text")
    public void recordFreeText(String label) {
        WireClient c = clients.client(label);
        clients.sendLine(c, "PING");
        while (true) {
            Received r = c.next(ctx.settings().replyTimeout());
            if (!(r instanceof Received.Line line)) {
                throw ctx.failure(label + " receives the PONG of a barrier PING", "got " + r);
            }
            if (line.text().startsWith("PONG")) {
                break;
            }
        }
        List<String> free = new ArrayList<>();
        for (byte[] b : c.rawLines()) {
            String t = new String(b, StandardCharsets.UTF_8);
            String[] tokens = t.split(" ", -1);
            // Only OK and ERR replies may carry free text (WIRE-11); text after PONG is a
            // WIRE-18 failure, checked there, not an observation here.
            boolean isReply = t.startsWith("OK ") || t.startsWith("ERR ");
            if (isReply && tokens.length > 2) {
                free.add("\"" + t + "\"");
            }
        }
        ctx.observe(free.isEmpty() ? "replies carry no free text after the word or code"
                : "replies carry free text: " + String.join(", ", free));
    }

    @Then("the kit records whether MSG lines arrived between {conn}'s replies")
    public void recordInterleaving(String label) {
        WireClient c = clients.client(label);
        StringBuilder order = new StringBuilder();
        int pongs = 0;
        while (pongs < 5) {
            Received r = c.next(ctx.settings().replyTimeout());
            if (!(r instanceof Received.Line line)) {
                throw ctx.failure(label + " receives its 5 PONG replies", "got " + r + " after " + order);
            }
            if (line.isMessage()) {
                order.append('M');
            } else {
                order.append('R');
                pongs++;
            }
        }
        String seen = order.toString();
        boolean between = seen.indexOf('R') >= 0 && seen.substring(seen.indexOf('R'), seen.lastIndexOf('R'))
                .indexOf('M') >= 0;
        ctx.observe("arrival order (M = MSG, R = reply): " + seen + "; MSG lines between replies: "
                + (between ? "yes" : "no"));
    }
}

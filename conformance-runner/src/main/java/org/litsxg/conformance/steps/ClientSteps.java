package org.litsxg.conformance.steps;

import io.cucumber.datatable.DataTable;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps that act through client connections: connect, authenticate, send, and observe what
 * arrives. Replies are matched on their first tokens (free text may follow, WIRE-11);
 * {@code MSG} lines are matched exactly. Absence is shown with the PING/PONG barrier where the
 * protocol allows it, otherwise with a bounded quiet period (Awaitility {@code during}).
 */
public final class ClientSteps {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;
    private final List<String[]> exchanges = new ArrayList<>();
    private String[] lastMessage;
    private final List<String[]> sentBatch = new ArrayList<>();

    /** Every reply word and error code the spec names (WIRE-10). */
    static final java.util.Set<String> REPLY_FORMS = java.util.Set.of(
            "OK registered", "OK authenticated", "OK delivered", "OK queued", "OK bye", "PONG",
            "ERR bad-encoding", "ERR unknown-command", "ERR syntax", "ERR not-authenticated",
            "ERR already-authenticated", "ERR auth-failed", "ERR unknown-recipient", "ERR queue-full",
            "ERR session-replaced", "ERR server-full", "ERR auth-timeout", "ERR line-too-long",
            "ERR slow-consumer");

    public ClientSteps(ScenarioContext ctx, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    // ------------------------------------------------------------------ Given

    @Given("{conn} is connected")
    @When("{conn} connects")
    public void connected(String label) {
        clients.connect(label);
    }

    @Given("{names} is/are registered")
    public void registered(List<String> names) {
        for (String name : names) {
            protocol.register(name);
        }
    }

    @Given("{names} is/are online")
    public void online(List<String> names) {
        for (String label : names) {
            protocol.online(label);
        }
    }

    @Given("{conn} has queued {int} message(s) for {word}")
    public void queued(String label, int count, String recipient) {
        if (!clients.hasClient(label)) {
            online(List.of(label));
        }
        WireClient c = clients.client(label);
        for (int i = 1; i <= count; i++) {
            String text = secrets.nextNumberedText(Clients.nameOf(label), recipient);
            clients.sendLine(c, "SEND " + recipient + " " + text);
            protocol.expectReply(c, "OK queued");
        }
    }

    @Given("{conn} is online and has stopped reading")
    public void onlineNotReading(String label) {
        WireClient c = clients.connectNonReading(label);
        protocol.authenticate(c, "OK registered");
        c.pauseReading();
    }

    // ------------------------------------------------------------------ When

    @When("{conn} sends {string}")
    public void sends(String label, String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(secrets.bytes(line));
        out.write('\n');
        clients.send(clients.client(label), out.toByteArray());
    }

    @When("{conn} sends the raw bytes {string}")
    public void sendsRaw(String label, String bytes) {
        clients.send(clients.client(label), secrets.bytes(bytes));
    }

    @When("{conn} sends these lines in one write:")
    public void sendsLines(String label, String docString) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : docString.split("\n", -1)) {
            out.writeBytes(secrets.bytes(line));
            out.write('\n');
        }
        clients.send(clients.client(label), out.toByteArray());
    }

    @When("{conn} sends a line of {int} bytes")
    public void sendsLongLine(String label, int length) {
        clients.send(clients.client(label), (Lines.sendOfLength("nobody", length) + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    @When("{conn} sends {word} a message making a line of exactly {int} bytes")
    public void sendsMessageOfLineLength(String label, String recipient, int length) {
        String line = Lines.sendOfLength(recipient, length);
        lastMessage = new String[] {Clients.nameOf(label), recipient,
            line.substring(("SEND " + recipient + " ").length())};
        secrets.sentText(lastMessage[2]);
        clients.sendLine(clients.client(label), line);
    }

    @When("{conn} sends {word} a message making a line of exactly {int} bytes, terminated by CRLF")
    public void sendsMessageOfLineLengthCrlf(String label, String recipient, int length) {
        String line = Lines.sendOfLength(recipient, length);
        lastMessage = new String[] {Clients.nameOf(label), recipient,
            line.substring(("SEND " + recipient + " ").length())};
        secrets.sentText(lastMessage[2]);
        clients.send(clients.client(label), (line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    @When("{conn} authenticates")
    public void authenticates(String label) {
        String name = Clients.nameOf(label);
        clients.sendLine(clients.client(label), "AUTH " + name + " " + secrets.secret(name));
    }

    @When("{conn} authenticates with the wrong secret")
    public void authenticatesWrong(String label) {
        String name = Clients.nameOf(label);
        String wrong = "wrong-" + secrets.secret(name);
        secrets.secret(name + "#wrong", wrong);
        clients.sendLine(clients.client(label), "AUTH " + name + " " + wrong);
    }

    @When("{conn} authenticates as {word} with the wrong secret")
    public void authenticatesAsWrong(String label, String name) {
        String wrong = "wrong-" + secrets.secret(name);
        secrets.secret(name + "#wrong", wrong);
        clients.sendLine(clients.client(label), "AUTH " + name + " " + wrong);
    }

    @When("{conn} authenticates with the secret {string}")
    public void authenticatesWith(String label, String secret) {
        String name = Clients.nameOf(label);
        String s = secrets.text(secret);
        secrets.secret(name, s);
        clients.sendLine(clients.client(label), "AUTH " + name + " " + s);
    }

    @When("{conn} sends a message {string} to {word}")
    public void sendsMessage(String label, String text, String recipient) {
        String t = secrets.text(text);
        secrets.sentText(t);
        clients.sendLine(clients.client(label), "SEND " + recipient + " " + t);
    }

    @When("{conn} sends {int} messages to {word} in one write")
    public void sendsMany(String label, int count, String recipient) {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            String text = secrets.nextNumberedText(Clients.nameOf(label), recipient);
            out.append("SEND ").append(recipient).append(' ').append(text).append('\n');
        }
        clients.send(clients.client(label), out.toString().getBytes(StandardCharsets.UTF_8));
    }

    @When("{conn} quits")
    public void quits(String label) {
        clients.sendLine(clients.client(label), "QUIT");
    }

    @When("{conn} closes the connection")
    public void closes(String label) {
        clients.client(label).close();
    }

    @When("{conn} half-closes the connection")
    public void halfCloses(String label) {
        try {
            clients.client(label).shutdownOutput();
        } catch (java.io.IOException e) {
            throw ctx.failure("the kit can half-close " + label + "'s connection", e.toString());
        }
    }

    @When("{conn} sends these lines one by one:")
    public void sendsOneByOne(String label, DataTable table) {
        WireClient c = clients.client(label);
        for (Map<String, String> row : table.asMaps()) {
            String line = row.get("line");
            String expected = row.get("reply");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(secrets.bytes(line));
            out.write('\n');
            clients.send(c, out.toByteArray());
            Received r = c.nextReply(ctx.settings().replyTimeout());
            exchanges.add(new String[] {line, expected, describe(r, expected)});
            if (!(r instanceof Received.Line)) {
                break;
            }
        }
    }

    private static String describe(Received r, String expected) {
        if (r instanceof Received.Line line) {
            int tokens = expected == null ? 2 : expected.split(" ").length;
            return line.firstTokens(tokens);
        }
        return r.toString();
    }

    @When("each of these lines is sent on a new connection:")
    public void eachOnNewConnection(DataTable table) {
        int i = 0;
        for (Map<String, String> row : table.asMaps()) {
            String line = row.get("line");
            String expected = row.get("reply");
            WireClient c = clients.connect("connection-" + (++i));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(secrets.bytes(line));
            out.write('\n');
            clients.send(c, out.toByteArray());
            Received r = c.nextReply(ctx.settings().replyTimeout());
            exchanges.add(new String[] {line, expected, describe(r, expected)});
            c.close();
        }
    }

    @When("{conn} sends these messages to {word}:")
    public void sendsMessages(String label, String recipient, DataTable table) {
        WireClient c = clients.client(label);
        for (String text : table.asList()) {
            if (text.equals("text")) {
                continue;
            }
            String t = secrets.text(text);
            secrets.sentText(t);
            sentBatch.add(new String[] {Clients.nameOf(label), recipient, t});
            clients.sendLine(c, "SEND " + recipient + " " + t);
        }
    }

    @Then("{word} receives each of them byte for byte, and the sender gets {string} for each")
    public void receivesEach(String recipient, String reply) {
        for (String[] m : sentBatch) {
            protocol.expectReply(clients.client(m[0]), reply);
        }
        for (String[] m : sentBatch) {
            WireClient c = clients.client(recipient);
            String expected = "MSG " + m[0] + " " + m[2];
            Received r = c.nextMessage(ctx.settings().replyTimeout());
            ctx.check(r instanceof Received.Line line
                            && java.util.Arrays.equals(line.raw(), expected.getBytes(StandardCharsets.UTF_8)),
                    recipient + " receives \"" + org.litsxg.conformance.support.Transcript.render(
                            expected.getBytes(StandardCharsets.UTF_8)) + "\" byte for byte",
                    "got " + r);
        }
    }

    // ------------------------------------------------------------------ Then

    @Then("each line gets the reply shown beside it")
    public void eachLineGetsItsReply() {
        List<String> wrong = new ArrayList<>();
        for (String[] e : exchanges) {
            if (!e[1].equals(e[2])) {
                wrong.add("\"" + e[0] + "\" -> " + e[2] + " (expected " + e[1] + ")");
            }
        }
        ctx.check(wrong.isEmpty() && !exchanges.isEmpty(), "every line answered with the reply in the table",
                exchanges.isEmpty() ? "no line was sent" : String.join("; ", wrong));
    }

    @Then("{conn} receives {string}")
    public void receives(String label, String expected) {
        String e = secrets.text(expected);
        WireClient c = clients.client(label);
        if (e.startsWith("MSG ")) {
            protocol.expectMessage(c, e);
        } else {
            protocol.expectReply(c, e);
        }
    }

    @Then("{conn} receives the replies:")
    public void receivesReplies(String label, String docString) {
        WireClient c = clients.client(label);
        for (String expected : docString.split("\n")) {
            protocol.expectReply(c, secrets.text(expected));
        }
    }

    @Then("{conn} receives exactly these lines in this order:")
    public void receivesExactly(String label, String docString) {
        WireClient c = clients.client(label);
        List<String> got = new ArrayList<>();
        boolean ok = true;
        for (String raw : docString.split("\n")) {
            String expected = secrets.text(raw);
            Received r = c.next(ctx.settings().replyTimeout());
            got.add(r.toString());
            if (!(r instanceof Received.Line line)) {
                ok = false;
                break;
            }
            boolean match = expected.startsWith("MSG ") ? line.text().equals(expected)
                    : line.firstTokens(expected.split(" ").length).equals(expected);
            if (!match) {
                ok = false;
                break;
            }
        }
        ctx.check(ok, label + " receives, in this order:\n" + docString, String.join("\n", got));
    }

    @Then("{conn} receives the messages:")
    public void receivesMessages(String label, String docString) {
        WireClient c = clients.client(label);
        for (String expected : docString.split("\n")) {
            protocol.expectMessage(c, secrets.text(expected));
        }
    }

    @Then("{conn} receives the {int} messages from {word} in order")
    public void receivesInOrder(String label, int count, String sender) {
        WireClient c = clients.client(label);
        for (int i = 1; i <= count; i++) {
            protocol.expectMessage(c, "MSG " + sender + " message " + i + " from " + sender);
        }
    }

    @Then("{conn} receives {int} replies {string}")
    public void receivesNReplies(String label, int count, String expected) {
        WireClient c = clients.client(label);
        for (int i = 0; i < count; i++) {
            protocol.expectReply(c, expected);
        }
    }

    @Then("{conn} receives no message")
    public void receivesNoMessage(String label) {
        protocol.barrier(clients.client(label), label + " receives no MSG line");
    }

    @Then("{conn} gets no reply")
    public void getsNoReply(String label) {
        protocol.barrier(clients.client(label), label + " gets no reply to that line");
    }

    @Then("{conn} is still connected")
    public void stillConnected(String label) {
        protocol.barrier(clients.client(label), label + "'s connection is still open and served");
    }

    @Then("nothing arrives at {conn}")
    public void nothingArrives(String label) {
        WireClient c = clients.client(label);
        Duration quiet = ctx.settings().quietPeriod();
        Optional<Received> first = c.firstArrivalWithin(quiet);
        ctx.check(first.isEmpty(), "nothing arrives at " + label + " for " + quiet.toMillis() + " ms",
                "got " + first.map(Object::toString).orElse(""));
    }

    @Then("{conn} is disconnected")
    public void disconnected(String label) {
        protocol.expectClosed(clients.client(label));
    }

    @When("{conn} connects and sends {string}")
    public void connectsAndSends(String label, String line) {
        clients.connect(label);
        sends(label, line);
    }

    @When("{word} sends {word} {int} messages in one write while {word} sends {int} PINGs in one write")
    public void messagesWhilePings(String sender, String recipient, int n, String pinger, int pings) {
        sendsMany(sender, n, recipient);
        clients.send(clients.client(pinger), "PING\n".repeat(pings).getBytes(StandardCharsets.UTF_8));
    }

    @Then("every reply {names} received has a form the spec names")
    public void replyFormsOfAll(List<String> labels) {
        labels.forEach(this::replyForms);
    }

    @Then("{word} receives the {int} messages from {word} in order, and no other message")
    public void receivesInOrderOnly(String label, int count, String sender) {
        receivesInOrder(label, count, sender);
        receivesNoMessage(label);
    }

    @Then("{names} are disconnected")
    public void allDisconnected(List<String> labels) {
        labels.forEach(this::disconnected);
    }

    @Then("{conn} receives {string} and is disconnected")
    public void receivesAndDisconnected(String label, String expected) {
        receives(label, expected);
        disconnected(label);
    }

    @Then("every line {conn} received ended in a bare LF and was valid UTF-8")
    public void bareLf(String label) {
        WireClient c = clients.client(label);
        List<String> bad = new ArrayList<>();
        for (byte[] raw : c.rawLines()) {
            boolean cr = raw.length > 0 && raw[raw.length - 1] == '\r';
            boolean utf8 = java.util.Arrays.equals(
                    new String(raw, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8), raw);
            if (cr || !utf8) {
                bad.add("\"" + org.litsxg.conformance.support.Transcript.render(raw) + "\""
                        + (cr ? " ends in CR LF" : "") + (utf8 ? "" : " is not valid UTF-8"));
            }
        }
        ctx.check(!c.rawLines().isEmpty() && bad.isEmpty(), "every server line is UTF-8 ending in a bare LF",
                c.rawLines().isEmpty() ? "no line received" : String.join("; ", bad));
    }

    @When("{conn} half-closes the connection after sending the raw bytes {string}")
    public void halfClosesAfter(String label, String bytes) {
        WireClient c = clients.client(label);
        clients.send(c, secrets.bytes(bytes));
        halfCloses(label);
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

    @Then("{conn} receives nothing else")
    public void receivesNothingElse(String label) {
        nothingArrives(label);
        protocol.barrier(clients.client(label), label + " receives no further line");
    }

    @Then("{word} receives that message whole, in a MSG line of {int} bytes")
    public void receivesWhole(String label, int length) {
        if (lastMessage == null) {
            throw new IllegalStateException("no message of a given length was sent in this scenario");
        }
        WireClient c = clients.client(label);
        String expected = "MSG " + lastMessage[0] + " " + lastMessage[2];
        Received r = c.nextMessage(ctx.settings().replyTimeout());
        ctx.check(r instanceof Received.Line line && line.text().equals(expected) && line.raw().length == length,
                label + " receives the whole MSG line of " + length + " bytes",
                r instanceof Received.Line line ? "a line of " + line.raw().length + " bytes: " + r : r.toString());
    }

    /** Runs a background writer and waits for it; used by limit steps. */
    static void join(ScenarioContext ctx, CompletableFuture<Void> f, Duration timeout, String what) {
        try {
            f.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw ctx.failure(what + " within " + timeout.toMillis() + " ms", "it did not complete");
        } catch (Exception e) {
            throw ctx.failure(what, e.toString());
        }
    }
}

package org.litsxg.conformance.steps;

import io.cucumber.datatable.DataTable;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.Transcript;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps that send lines from a table or of a given length and judge what came back for each:
 * the reply beside each line, each message byte for byte, a message of an exact line length.
 */
public final class ExchangeSteps {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;
    private final List<String[]> exchanges = new ArrayList<>();
    private String[] lastMessage;
    private final List<String[]> sentBatch = new ArrayList<>();

    public ExchangeSteps(ScenarioContext ctx, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    @When("{conn} sends {word} a message making a line of exactly {int} bytes")
    public void sendsMessageOfLineLength(String label, String recipient, int length) {
        clients.send(clients.client(label), messageOfLength(label, recipient, length, "\n"));
    }

    @When("{conn} sends {word} a message making a line of exactly {int} bytes, terminated by CRLF")
    public void sendsMessageOfLineLengthCrlf(String label, String recipient, int length) {
        clients.send(clients.client(label), messageOfLength(label, recipient, length, "\r\n"));
    }

    /** A SEND line of {@code length} bytes before {@code terminator}; its text is remembered. */
    private byte[] messageOfLength(String label, String recipient, int length, String terminator) {
        String line = Lines.sendOfLength(recipient, length);
        lastMessage = new String[] {Clients.nameOf(label), recipient,
            line.substring(("SEND " + recipient + " ").length())};
        secrets.sentText(lastMessage[2]);
        return (line + terminator).getBytes(StandardCharsets.US_ASCII);
    }

    @When("{conn} sends these lines one by one:")
    public void sendsOneByOne(String label, DataTable table) {
        WireClient c = clients.client(label);
        for (Map<String, String> row : table.asMaps()) {
            if (!(exchange(c, row.get("line"), row.get("reply")) instanceof Received.Line)) {
                break;
            }
        }
    }

    @When("each of these lines is sent on a new connection:")
    public void eachOnNewConnection(DataTable table) {
        int i = 0;
        for (Map<String, String> row : table.asMaps()) {
            WireClient c = clients.connect("connection-" + (++i));
            exchange(c, row.get("line"), row.get("reply"));
            c.close();
        }
    }

    /** Sends the feature's {@code line} + LF, takes the reply and records it beside {@code expected}. */
    private Received exchange(WireClient c, String line, String expected) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(secrets.bytes(line));
        out.write('\n');
        clients.send(c, out.toByteArray());
        Received r = c.nextReply(ctx.settings().replyTimeout());
        exchanges.add(new String[] {line, expected, describe(r, expected)});
        return r;
    }

    private static String describe(Received r, String expected) {
        if (r instanceof Received.Line line) {
            int tokens = expected == null ? 2 : expected.split(" ").length;
            return line.firstTokens(tokens);
        }
        return r.toString();
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
                            && Arrays.equals(line.raw(), expected.getBytes(StandardCharsets.UTF_8)),
                    recipient + " receives \"" + Transcript.render(
                            expected.getBytes(StandardCharsets.UTF_8)) + "\" byte for byte",
                    "got " + r);
        }
    }

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
}

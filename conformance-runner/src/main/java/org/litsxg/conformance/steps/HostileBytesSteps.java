package org.litsxg.conformance.steps;

import io.cucumber.java.After;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.WireClient;

/**
 * Hostile bytes on one connection (area HOST): invalid UTF-8, control characters, a huge line,
 * one byte per write, many commands in one write, a half-close after a burst; each with the
 * replies or the close its clauses define.
 */
public final class HostileBytesSteps {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;
    private final HostileAct act;
    private final List<String> expectedReplies = new ArrayList<>();
    private CompletableFuture<Void> writer;

    public HostileBytesSteps(ScenarioContext ctx, Clients clients, Secrets secrets, Protocol protocol, HostileAct act) {
        this.ctx = ctx;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
        this.act = act;
    }

    @When("{conn} sends {int} lines of random bytes that are not UTF-8, in one write")
    public void garbage(String label, int count) {
        Random random = new Random(6_0001L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            int length = 1 + random.nextInt(200);
            byte[] line = new byte[length];
            random.nextBytes(line);
            for (int j = 0; j < length; j++) {
                if (line[j] == '\n') {
                    line[j] = 0x00;
                }
            }
            // 0xFF never occurs in UTF-8: the line is invalid whatever the other bytes are.
            line[random.nextInt(length)] = (byte) 0xFF;
            out.writeBytes(line);
            out.write('\n');
            expectedReplies.add("ERR bad-encoding");
        }
        act.starts();
        clients.send(clients.client(label), out.toByteArray());
        act.ends();
    }

    @When("{conn} sends a line holding each control character but TAB, in one write")
    public void controlCharacters(String label) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> controls = new ArrayList<>();
        for (int c = 0; c <= 0x1F; c++) {
            if (c != '\t' && c != '\n') {
                controls.add(c);
            }
        }
        controls.add(0x7F);
        for (int c = 0x80; c <= 0x9F; c++) {
            controls.add(c);
        }
        for (int c : controls) {
            // In the middle of the line, so that a CR is not the one a CRLF terminator drops.
            out.writeBytes(("SEND nobody a" + Character.toString(c) + "b\n").getBytes(StandardCharsets.UTF_8));
            expectedReplies.add("ERR bad-encoding");
        }
        out.writeBytes("PING\u0000\n\u0000PING\n".getBytes(StandardCharsets.UTF_8));
        expectedReplies.add("ERR bad-encoding");
        expectedReplies.add("ERR bad-encoding");
        act.starts();
        clients.send(clients.client(label), out.toByteArray());
        act.ends();
    }

    @Then("{conn} receives {string} for each of those lines")
    public void receivesForEach(String label, String expected) {
        WireClient c = clients.client(label);
        for (int i = 0; i < expectedReplies.size(); i++) {
            Received r = c.nextReply(ctx.settings().replyTimeout());
            boolean ok = r instanceof Received.Line l && l.firstTokens(expected.split(" ").length).equals(expected);
            ctx.check(ok, "each of the " + expectedReplies.size() + " lines is answered \"" + expected + "\"",
                    "reply " + (i + 1) + " was " + r);
        }
    }

    @When("{conn} sends {int} bytes without a line end, in writes of {int} KiB")
    public void hugeLine(String label, int total, int kib) {
        WireClient c = clients.client(label);
        byte[] rest = new byte[kib * 1024];
        Arrays.fill(rest, (byte) 'x');
        byte[] head = rest.clone();
        byte[] start = "SEND nobody ".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(start, 0, head, 0, start.length);
        act.starts();
        // In the background: the server may close the connection long before the last byte, and
        // then the remaining writes fail, which is the expected outcome, not an error.
        writer = CompletableFuture.runAsync(() -> {
            int left = total;
            try {
                while (left > 0) {
                    byte[] part = left == total ? head : rest;
                    int n = Math.min(left, part.length);
                    c.sendBytes(n == part.length ? part : Arrays.copyOf(part, n));
                    left -= n;
                }
            } catch (IOException e) {
                c.transcript().event("the remaining " + left + " bytes could not be written: " + e.getMessage());
            }
        });
    }

    @When("{conn} sends {string} one byte per write")
    public void oneBytePerWrite(String label, String text) {
        WireClient c = clients.client(label);
        byte[] bytes = secrets.bytes(text);
        act.starts();
        for (byte b : bytes) {
            clients.send(c, new byte[] {b});
        }
        act.ends();
    }

    @When("{conn} sends {string} {int} times in one write")
    public void repeated(String label, String text, int times) {
        byte[] one = secrets.bytes(text);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < times; i++) {
            out.writeBytes(one);
        }
        act.starts();
        clients.send(clients.client(label), out.toByteArray());
        act.ends();
    }

    /**
     * {@code count} lines cycling through six commands with six different replies, so that a
     * reply out of order or missing shows.
     */
    @When("{conn} sends {int} commands of six kinds to {word} in one write")
    public void sixKinds(String label, int count, String recipient) {
        String name = Clients.nameOf(label);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            switch (i % 6) {
                case 0 -> add(out, "PING", "PONG");
                case 1 -> add(out, "SEND " + recipient + " " + secrets.nextNumberedText(name, recipient), "OK delivered");
                case 2 -> add(out, "NOPE " + i, "ERR unknown-command");
                case 3 -> add(out, "SEND nobody-" + i + " hello", "ERR unknown-recipient");
                case 4 -> add(out, "PING " + i, "ERR syntax");
                default -> add(out, "AUTH " + name + " " + secrets.secret(name), "ERR already-authenticated");
            }
        }
        act.starts();
        clients.send(clients.client(label), out.toString().getBytes(StandardCharsets.UTF_8));
        act.ends();
    }

    private void add(StringBuilder out, String line, String reply) {
        out.append(line).append('\n');
        expectedReplies.add(reply);
    }

    @Then("{conn} receives each command's reply, in the order sent")
    public void eachReplyInOrder(String label) {
        WireClient c = clients.client(label);
        for (int i = 0; i < expectedReplies.size(); i++) {
            String expected = expectedReplies.get(i);
            Received r = c.nextReply(ctx.settings().replyTimeout());
            boolean ok = r instanceof Received.Line l && l.firstTokens(expected.split(" ").length).equals(expected);
            ctx.check(ok, "the replies to the " + expectedReplies.size() + " lines, one each, in order: reply "
                    + (i + 1) + " is \"" + expected + "\"", "reply " + (i + 1) + " was " + r);
        }
    }

    @When("{conn} sends {int} messages to {word} in one write and half-closes the connection")
    public void manyThenHalfClose(String label, int count, String recipient) {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            String text = secrets.nextNumberedText(Clients.nameOf(label), recipient);
            out.append("SEND ").append(recipient).append(' ').append(text).append('\n');
        }
        WireClient c = clients.client(label);
        act.starts();
        clients.send(c, out.toString().getBytes(StandardCharsets.UTF_8));
        try {
            c.shutdownOutput();
        } catch (IOException e) {
            throw ctx.failure("the kit can half-close " + label + "'s connection", e.toString());
        }
        act.ends();
    }

    @Then("{conn} receives {string} and is disconnected, whatever the kit was still writing")
    public void receivesThenClosedWhileWriting(String label, String expected) {
        protocol.expectReply(clients.client(label), expected);
        protocol.expectClosed(clients.client(label));
        clients.join(writer, ctx.settings().replyTimeout(), "the kit's writes end (done or refused)");
        act.ends();
    }

    @After(order = 30)
    public void releaseWriter() {
        if (writer != null) {
            writer.cancel(true);
        }
    }
}

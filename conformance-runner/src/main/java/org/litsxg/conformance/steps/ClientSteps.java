package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.When;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps that act through client connections: connect, register, come online, authenticate,
 * send lines, messages and raw bytes, quit, close.
 */
public final class ClientSteps {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;

    public ClientSteps(ScenarioContext ctx, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

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
        } catch (IOException e) {
            throw ctx.failure("the kit can half-close " + label + "'s connection", e.toString());
        }
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

    @When("{conn} half-closes the connection after sending the raw bytes {string}")
    public void halfClosesAfter(String label, String bytes) {
        WireClient c = clients.client(label);
        clients.send(c, secrets.bytes(bytes));
        halfCloses(label);
    }
}

package org.litsxg.conformance.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.WireClient;

/** Steps about what a Litsxg build must never offer. */
public final class FinalitySteps {

    private final ScenarioContext ctx;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;

    public FinalitySteps(ScenarioContext ctx, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    /**
     * A minimal TLS 1.2 ClientHello record (one cipher suite, no extensions) whose bytes hold no
     * LF, followed by one LF so that a line server sees exactly one line.
     */
    static byte[] clientHello() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x16, 0x03, 0x01, 0x00, 0x2F}); // handshake record, 47 bytes
        out.writeBytes(new byte[] {0x01, 0x00, 0x00, 0x2B}); // ClientHello, 43 bytes
        out.writeBytes(new byte[] {0x03, 0x03}); // TLS 1.2
        for (int i = 0; i < 32; i++) {
            out.write(0x41 + (i % 26)); // client random
        }
        out.writeBytes(new byte[] {0x00}); // no session id
        out.writeBytes(new byte[] {0x00, 0x02, 0x13, 0x01}); // one cipher suite
        out.writeBytes(new byte[] {0x01, 0x00}); // null compression
        out.writeBytes(new byte[] {0x00, 0x00}); // no extensions
        out.write('\n');
        return out.toByteArray();
    }

    @When("{conn} sends a TLS ClientHello followed by LF")
    public void clientHello(String label) {
        clients.send(clients.client(label), clientHello());
    }

    @Then("{conn} receives {string} when he/she sends {string}")
    public void receivesWhenSends(String label, String expected, String line) {
        WireClient c = clients.client(label);
        clients.sendLine(c, line);
        protocol.expectReply(c, expected);
    }

    @When("{names} exercise every command")
    public void exercise(List<String> labels) {
        for (String label : labels) {
            WireClient c = clients.client(label);
            String name = Clients.nameOf(label);
            StringBuilder lines = new StringBuilder();
            lines.append("PING\n");
            lines.append("SEND ").append(name).append(" to myself\n");
            lines.append("SEND nobody hello\n");
            lines.append("SEND ").append(name).append('\n');
            lines.append("AUTH ").append(name).append(' ').append(secrets.secret(name)).append('\n');
            lines.append("AUTH ").append(name).append(" wrong-").append(secrets.secret(name)).append('\n');
            lines.append("NOPE\n");
            lines.append("PING now\n");
            clients.send(c, lines.toString().getBytes(StandardCharsets.UTF_8));
            clients.send(c, "SEND nobody \u00ff\u0001\n".getBytes(StandardCharsets.UTF_8));
            clients.sendLine(c, "PING");
            // Take everything up to that last PONG (the first PONG answers the first PING).
            int pongs = 0;
            while (pongs < 2) {
                Received r = c.next(ctx.settings().replyTimeout());
                if (!(r instanceof Received.Line l)) {
                    throw ctx.failure(label + " gets a reply to every line", "got " + r);
                }
                if (l.text().equals("PONG")) {
                    pongs++;
                }
            }
        }
    }
}

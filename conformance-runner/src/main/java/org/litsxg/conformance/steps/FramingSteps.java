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
import java.util.List;
import java.util.regex.Pattern;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.Swarm;
import org.litsxg.conformance.support.Transcript;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps that make the framing, connection-count and versioning scenarios (WIRE, HOST, FINAL)
 * catch the less obvious ways to break them: bytes split between reads the server is known to
 * have made, slots of connections the clients ended, a version hidden in a reply's free text.
 */
public final class FramingSteps {

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;
    private Swarm swarm;

    public FramingSteps(ScenarioContext ctx, Servers servers, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    // ------------------------------------------------------------------ split reads (HOST-2)

    /**
     * Writes {@code text} in parts cut inside every multi-byte UTF-8 character and between every
     * CR and its LF. After each part a PING on a connection of its own is answered: the server
     * handles the connections it finds readable in turn, and the part was in its socket buffer
     * before that PING was written, so it has read the part before it reads the next one.
     */
    @When("{conn} sends {string} split inside every character and line end, each part read by the server before the"
            + " next is written")
    public void splitReads(String label, String text) {
        WireClient c = clients.client(label);
        WireClient probe = clients.connect(label + "-read-barrier");
        List<byte[]> parts = splitInside(secrets.bytes(text));
        for (byte[] part : parts) {
            clients.send(c, part);
            clients.sendLine(probe, "PING");
            protocol.expectReply(probe, "PONG");
        }
        ctx.scenario().log("written in " + parts.size() + " parts, each followed by a PING round trip on "
                + probe.name());
    }

    /** Cuts after a byte that a continuation byte follows, and between CR and LF. */
    static List<byte[]> splitInside(byte[] b) {
        List<byte[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i + 1 < b.length; i++) {
            boolean insideCharacter = (b[i] & 0x80) != 0 && (b[i + 1] & 0xC0) == 0x80;
            boolean insideCrLf = b[i] == '\r' && b[i + 1] == '\n';
            if (insideCharacter || insideCrLf) {
                parts.add(Arrays.copyOfRange(b, start, i + 1));
                start = i + 1;
            }
        }
        parts.add(Arrays.copyOfRange(b, start, b.length));
        return parts;
    }

    // ------------------------------------------------------------------ slots (HOST-3)

    /**
     * Opens {@code n} connections that each send PING. A connection the server refuses with
     * {@code ERR server-full} is tried again until {@code seconds} have passed: the server learns
     * that a client ended a connection only when it reads the end, which may come a moment after
     * the kit's own barrier; a slot that is never freed stays refused for the whole time.
     */
    @Then("within {int} seconds, {int} new connections are accepted and served")
    public void newConnectionsServed(int seconds, int n) {
        Duration budget = ctx.scaled(Duration.ofSeconds(seconds));
        long deadline = System.nanoTime() + budget.toNanos();
        List<Swarm.Peer> served = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        int tries = 0;
        while (served.size() < n && (tries == 0 || System.nanoTime() < deadline)) {
            tries++;
            List<Swarm.Peer> fresh;
            try {
                fresh = swarm().open(n - served.size(), ctx.scaled(Duration.ofSeconds(30)), p -> p.writeLine("PING"));
                swarm().runUntil(() -> fresh.stream().allMatch(p -> !p.lines().isEmpty() || p.isEnded()),
                        ctx.settings().replyTimeout());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            refused.clear();
            for (Swarm.Peer p : fresh) {
                if (!p.lines().isEmpty() && p.lines().get(0).equals("PONG")) {
                    served.add(p);
                } else {
                    refused.add("connection " + p.index() + ": " + p.lines() + (p.isEnded() ? ", " + p.ended() : ""));
                    p.close();
                }
            }
        }
        ctx.scenario().log(served.size() + " of " + n + " new connections served after " + tries + " round(s)");
        ctx.check(served.size() == n, "within " + budget.toMillis() + " ms, " + n + " new connections are accepted and"
                + " their PING answered PONG: connections the clients ended (closed, reset, mid-line) no longer count"
                + " towards --max-connections", served.size() + " were; the last refused, for example "
                + refused.subList(0, Math.min(5, refused.size())));
        served.forEach(Swarm.Peer::close);
    }

    private Swarm swarm() throws IOException {
        if (swarm == null) {
            swarm = new Swarm(servers.running().address());
        }
        return swarm;
    }

    // ------------------------------------------------------------------ versions (FINAL-6)

    /**
     * A version in free text: a product token ({@code litsxg/1.1}), {@code v1.1}, or a dotted
     * number after {@code litsxg...}, {@code version} or {@code protocol} ({@code litsxg-py 1.1},
     * {@code protocol version 2.0}). A bare number ({@code after 30.0 s}) is not one.
     */
    static final Pattern VERSION = Pattern.compile("(?i)[a-z][\\w.-]*/v?\\d+(\\.\\d+)+"
            + "|\\bv\\d+(\\.\\d+)+\\b"
            + "|\\b(litsxg|version|protocol)\\S*(\\s+version)?\\s+v?\\d+(\\.\\d+)*");

    @Then("no reply {names} received carries a version in its free text")
    public void noVersionInFreeText(List<String> labels) {
        List<String> bad = new ArrayList<>();
        int replies = 0;
        for (String label : labels) {
            for (byte[] raw : clients.client(label).rawLines()) {
                Received.Line line = new Received.Line(new String(raw, StandardCharsets.UTF_8), raw);
                if (line.isMessage()) {
                    continue;
                }
                replies++;
                String t = line.text();
                String[] tokens = t.split(" ", t.startsWith("PONG") ? 2 : 3);
                int words = t.startsWith("PONG") ? 1 : 2;
                String free = tokens.length > words ? tokens[words] : "";
                if (VERSION.matcher(free).find()) {
                    bad.add(label + ": \"" + Transcript.render(raw) + "\"");
                }
            }
        }
        ctx.check(replies > 0 && bad.isEmpty(), "no version appears on the wire: the free text after a reply's word or"
                + " code names no version (FINAL-6)", replies == 0 ? "no reply received" : String.join("; ", bad));
    }

    @After(order = 30)
    public void release() {
        if (swarm != null) {
            swarm.close();
        }
    }
}

package org.litsxg.conformance.steps;

import io.cucumber.datatable.DataTable;
import io.cucumber.java.After;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.Swarm;
import org.litsxg.conformance.support.WellBehavedClient;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps of the hostile-input features (area HOST): a well-behaved client that keeps checking
 * the server from its own connections, and the hostile acts, each with the reply or close its
 * clauses define. Acts that need thousands of connections use a {@link Swarm} (one selector,
 * no thread per connection).
 */
public final class HostileSteps {

    /** Labels of the well-behaved client's two connections (no step of a feature names them). */
    static final String WELL_BEHAVED = "wellbehaved";
    static final String WELL_BEHAVED_PEER = "wellbehaved-peer";

    /** How long one round trip of the well-behaved client may take, before scaling. */
    private static final Duration ROUND_TRIP_BOUND = Duration.ofSeconds(3);

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;
    private WellBehavedClient wellBehaved;
    private long actStart;
    private long actEnd;
    private Swarm swarm;
    private List<Swarm.Peer> group = List.of();
    private final List<String> expectedReplies = new ArrayList<>();
    private final List<String[]> authRows = new ArrayList<>();
    private CompletableFuture<Void> writer;

    public HostileSteps(ScenarioContext ctx, Servers servers, Clients clients, Secrets secrets, Protocol protocol) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
    }

    // ------------------------------------------------------------------ the well-behaved client

    @Given("a well-behaved client is online and keeps exchanging messages with another")
    public void wellBehavedOnline() {
        WireClient a = clients.connect(WELL_BEHAVED);
        protocol.authenticate(a, "OK registered");
        WireClient b = clients.connect(WELL_BEHAVED_PEER);
        protocol.authenticate(b, "OK registered");
        wellBehaved = new WellBehavedClient(a, WELL_BEHAVED, b, WELL_BEHAVED_PEER, ctx.scaled(ROUND_TRIP_BOUND));
        Optional<String> first = wellBehaved.roundTrip();
        ctx.check(first.isEmpty(), "the well-behaved client's first round trip (PING, SEND to its partner) works",
                first.orElse(""));
        wellBehaved.start();
    }

    @Then("the well-behaved client was served throughout, and still is")
    public void wellBehavedServed() {
        if (wellBehaved == null) {
            throw new IllegalStateException("the scenario has no well-behaved client");
        }
        wellBehaved.stop();
        if (actEnd == 0 && actStart != 0) {
            actEnd = System.nanoTime();
        }
        List<WellBehavedClient.RoundTrip> trips = wellBehaved.trips();
        String bound = wellBehaved.bound().toMillis() + " ms";
        ctx.check(wellBehaved.failure().isEmpty(), "while the hostile client acts, the well-behaved client's every"
                + " round trip (PING answered PONG, a SEND answered OK delivered and received by its partner)"
                + " completes within " + bound, wellBehaved.failure().orElse(""));
        long maxMillis = trips.stream().mapToLong(t -> t.took().toMillis()).max().orElse(0);
        long during = trips.stream().filter(t -> t.start() >= actStart && t.start() <= actEnd).count();
        long actMillis = (actEnd - actStart) / 1_000_000;
        if (actStart != 0 && actEnd - actStart > wellBehaved.bound().toNanos()) {
            ctx.check(during > 0, "the well-behaved client completes round trips while the hostile act lasts ("
                    + actMillis + " ms)", "no round trip started in that time; " + trips.size() + " in all");
        }
        Optional<String> after = wellBehaved.roundTrip();
        ctx.check(after.isEmpty(), "after the hostile act the well-behaved client is still served within " + bound,
                after.orElse(""));
        ctx.scenario().log("well-behaved client: " + (trips.size() + 1) + " round trips, " + during
                + " started during the hostile act (" + actMillis + " ms), slowest " + maxMillis + " ms");
    }

    private void actStarts() {
        actStart = System.nanoTime();
        actEnd = 0;
    }

    private void actEnds() {
        actEnd = System.nanoTime();
    }

    // ------------------------------------------------------------------ bytes on one connection

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
        actStarts();
        clients.send(clients.client(label), out.toByteArray());
        actEnds();
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
        actStarts();
        clients.send(clients.client(label), out.toByteArray());
        actEnds();
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
        java.util.Arrays.fill(rest, (byte) 'x');
        byte[] head = rest.clone();
        byte[] start = "SEND nobody ".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(start, 0, head, 0, start.length);
        actStarts();
        // In the background: the server may close the connection long before the last byte, and
        // then the remaining writes fail, which is the expected outcome, not an error.
        writer = CompletableFuture.runAsync(() -> {
            int left = total;
            try {
                while (left > 0) {
                    byte[] part = left == total ? head : rest;
                    int n = Math.min(left, part.length);
                    c.sendBytes(n == part.length ? part : java.util.Arrays.copyOf(part, n));
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
        actStarts();
        for (byte b : bytes) {
            clients.send(c, new byte[] {b});
        }
        actEnds();
    }

    @When("{conn} sends {string} {int} times in one write")
    public void repeated(String label, String text, int times) {
        byte[] one = secrets.bytes(text);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < times; i++) {
            out.writeBytes(one);
        }
        actStarts();
        clients.send(clients.client(label), out.toByteArray());
        actEnds();
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
        actStarts();
        clients.send(clients.client(label), out.toString().getBytes(StandardCharsets.UTF_8));
        actEnds();
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
        actStarts();
        clients.send(c, out.toString().getBytes(StandardCharsets.UTF_8));
        try {
            c.shutdownOutput();
        } catch (IOException e) {
            throw ctx.failure("the kit can half-close " + label + "'s connection", e.toString());
        }
        actEnds();
    }

    @Then("{conn} receives {string} and is disconnected, whatever the kit was still writing")
    public void receivesThenClosedWhileWriting(String label, String expected) {
        protocol.expectReply(clients.client(label), expected);
        protocol.expectClosed(clients.client(label));
        clients.join(writer, ctx.settings().replyTimeout(), "the kit's writes end (done or refused)");
        actEnds();
    }

    // ------------------------------------------------------------------ many connections

    private Swarm swarm() {
        if (swarm == null) {
            try {
                swarm = new Swarm(servers.running().address());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return swarm;
    }

    private List<Swarm.Peer> open(int n) {
        return open(n, p -> { });
    }

    private List<Swarm.Peer> open(int n, java.util.function.Consumer<Swarm.Peer> first) {
        try {
            return swarm().open(n, ctx.scaled(Duration.ofSeconds(30)), first);
        } catch (IOException e) {
            throw ctx.failure(n + " connections are accepted", e.getMessage());
        }
    }

    private boolean run(java.util.function.BooleanSupplier done, Duration timeout) {
        try {
            return swarm().runUntil(done, timeout);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @When("{int} clients connect and stay silent")
    public void silent(int n) {
        actStarts();
        group = open(n);
    }

    @Then("each of them receives {string} and is disconnected")
    public void eachReceivesAndClosed(String expected) {
        Duration timeout = ctx.scaled(Duration.ofSeconds(30));
        run(() -> group.stream().allMatch(Swarm.Peer::isEnded), timeout);
        actEnds();
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
        java.util.function.Predicate<Swarm.Peer> pong = p -> !p.lines().isEmpty() && p.lines().get(0).equals("PONG");
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
        actStarts();
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
        actEnds();
        List<String> expectedLines = java.util.Collections.nCopies(count, expected);
        List<String> wrong = new ArrayList<>();
        for (Swarm.Peer p : group) {
            List<String> firsts = p.lines().stream().map(l -> String.join(" ",
                    java.util.Arrays.asList(l.split(" ")).subList(0, Math.min(2, l.split(" ").length)))).toList();
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
        actStarts();
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
        actEnds();
    }

    @Then("every one of them that waited for its reply got {string}")
    public void waitedGot(String expected) {
        List<Swarm.Peer> wrong = group.stream().filter(p -> !p.lines().equals(List.of(expected))).toList();
        ctx.check(!group.isEmpty() && wrong.isEmpty(), "each of the " + group.size()
                + " clients that waited for its reply got exactly \"" + expected + "\"", wrong.size() + " did not;"
                + " for example " + wrong.stream().limit(3).map(p -> p.index() + ": " + p.lines() + " " + p.ended())
                .toList());
    }

    // ------------------------------------------------------------------ names and secrets

    /**
     * Each row: an AUTH with a generated name of the given length and a secret of the given
     * number of bytes, built from the given character (so {@code é} makes 2-byte characters).
     */
    @When("each of these AUTH lines is sent on a new connection:")
    public void authLines(DataTable table) {
        int row = 0;
        actStarts();
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
        actEnds();
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

    // ------------------------------------------------------------------ the offline queue

    @Then("{word}, once online, receives the {int} messages from {word} in order and no other")
    public void onceOnline(String label, int count, String sender) {
        WireClient c = clients.connect(label);
        protocol.authenticate(c, "OK authenticated");
        for (int i = 1; i <= count; i++) {
            protocol.expectMessage(c, "MSG " + sender + " message " + i + " from " + sender);
        }
        protocol.barrier(c, label + " receives no message beyond the first " + count);
    }

    @After(order = 30)
    public void release() {
        if (wellBehaved != null) {
            wellBehaved.stop();
        }
        if (writer != null) {
            writer.cancel(true);
        }
        if (swarm != null) {
            swarm.close();
        }
    }
}

package org.litsxg.conformance.steps;

import io.cucumber.java.After;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.litsxg.conformance.support.FileScan;
import org.litsxg.conformance.support.Swarm;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps of the security features (area SEC): no impersonation, no cross-delivery under
 * concurrency (a thousand pairs on one {@link Swarm}), and no secret on disk in any plain form.
 */
public final class SecuritySteps {

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;
    private final Evidence evidence;
    private Swarm swarm;
    private List<Swarm.Peer> peers = List.of();
    private int perClient;
    private Path scratchDataDir;

    public SecuritySteps(ScenarioContext ctx, Servers servers, Clients clients, Secrets secrets, Protocol protocol, Evidence evidence) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
        this.evidence = evidence;
    }

    /** The name of the client at {@code index}: pairs are (0, 1), (2, 3), ... */
    private static String pairName(int index) {
        return String.format("pair%04d-%s", index / 2, index % 2 == 0 ? "a" : "b");
    }

    private static int partner(int index) {
        return index ^ 1;
    }

    private boolean run(BooleanSupplier done, Duration timeout) {
        try {
            return swarm.runUntil(done, timeout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Given("{int} pairs of clients are online")
    public void pairsOnline(int pairs) {
        placeDataDirInMemory();
        try {
            swarm = new Swarm(servers.running().address());
            peers = swarm.open(2 * pairs, ctx.scaled(Duration.ofSeconds(30)));
        } catch (IOException e) {
            throw ctx.failure(2 * pairs + " connections are accepted", e.getMessage());
        }
        for (Swarm.Peer p : peers) {
            String name = pairName(p.index());
            p.writeLine("AUTH " + name + " " + secrets.secret(name));
        }
        // Two thousand key derivations: slow on a loaded machine, so a generous bound.
        Duration timeout = ctx.scaled(Duration.ofSeconds(300));
        run(() -> peers.stream().allMatch(p -> !p.lines().isEmpty() || p.isEnded()), timeout);
        List<String> wrong = peers.stream().filter(p -> p.lines().size() != 1 || !p.lines().get(0).startsWith(
                "OK registered")).limit(5).map(p -> pairName(p.index()) + ": " + p.lines() + " " + p.ended()).toList();
        long answered = peers.stream().filter(p -> !p.lines().isEmpty()).count();
        ctx.check(wrong.isEmpty(), "each of the " + peers.size() + " clients registers its name (OK registered)"
                + " within " + timeout.toMillis() + " ms", answered + " got a reply; for example " + wrong);
    }

    /**
     * Registering two thousand names is two thousand synchronous commits; on a disk where a
     * sync takes milliseconds that alone would take tens of seconds. This scenario is about
     * routing, not durability, so its data directory goes to a memory file system when the
     * machine has one. The build sees an ordinary directory path.
     */
    private void placeDataDirInMemory() {
        Path shm = Path.of("/dev/shm");
        if (ctx.server().isRunning() || !Files.isDirectory(shm) || !Files.isWritable(shm)) {
            return;
        }
        try {
            scratchDataDir = Files.createTempDirectory(shm, "litsxg-kit-");
            ctx.server().dataDir(scratchDataDir.resolve("data"));
        } catch (IOException e) {
            scratchDataDir = null;
        }
    }

    @When("both clients of every pair send each other {int} messages, all at once")
    public void exchange(int count) {
        perClient = count;
        for (Swarm.Peer p : peers) {
            String from = pairName(p.index());
            String to = pairName(partner(p.index()));
            StringBuilder out = new StringBuilder();
            for (int i = 1; i <= count; i++) {
                out.append("SEND ").append(to).append(' ').append(text(i, from, to)).append('\n');
            }
            p.write(out.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String text(int i, String from, String to) {
        return "message " + i + " from " + from + " to " + to;
    }

    @Then("every client receives exactly the messages its partner sent, in order, and no other")
    public void eachReceivesOwn() {
        int expected = 1 + 2 * perClient;
        Duration timeout = ctx.scaled(Duration.ofSeconds(60));
        run(() -> peers.stream().allMatch(p -> p.lines().size() >= expected || p.isEnded()), timeout);
        // Anything more (a duplicate, a message for another client) would arrive now.
        run(() -> false, ctx.settings().quietPeriod());
        List<String> wrong = new ArrayList<>();
        int right = 0;
        for (Swarm.Peer p : peers) {
            String me = pairName(p.index());
            String other = pairName(partner(p.index()));
            List<String> msgs = p.lines().stream().filter(l -> l.startsWith("MSG ")).toList();
            List<String> want = new ArrayList<>();
            for (int i = 1; i <= perClient; i++) {
                want.add("MSG " + other + " " + text(i, other, me));
            }
            if (msgs.equals(want)) {
                right++;
            } else if (wrong.size() < 3) {
                wrong.add(me + " received " + msgs.size() + " MSG lines: " + msgs.subList(0, Math.min(4, msgs.size()))
                        + (msgs.size() > 4 ? " ..." : "") + (p.isEnded() ? "; its connection ended: " + p.ended() : ""));
            }
        }
        ctx.check(right == peers.size(), "each of the " + peers.size() + " clients receives exactly the "
                + perClient + " messages its partner sent, in the order sent, and no message meant for another",
                (peers.size() - right) + " did not; for example " + wrong);
    }

    @Then("every SEND was answered {string}")
    public void everySendAnswered(String reply) {
        List<String> wrong = new ArrayList<>();
        for (Swarm.Peer p : peers) {
            List<String> replies = p.lines().stream().filter(l -> !l.startsWith("MSG ")).skip(1).toList();
            boolean ok = replies.size() == perClient && replies.stream().allMatch(r -> r.equals(reply)
                    || r.startsWith(reply + " "));
            if (!ok && wrong.size() < 3) {
                wrong.add(pairName(p.index()) + ": " + replies.subList(0, Math.min(4, replies.size())));
            }
        }
        ctx.check(wrong.isEmpty(), "each client's " + perClient + " SENDs are each answered \"" + reply + "\"",
                "for example " + wrong);
    }

    // ------------------------------------------------------------------ secrets on disk

    @Given("an AUTH with a secret of {int} bytes has been refused with {string}")
    public void refusedSecret(int bytes, String reply) {
        String secret = HostileNameSteps.secretOfBytes("s", bytes);
        secrets.secret("refused#" + bytes, secret);
        WireClient c = clients.connect("refused");
        clients.sendLine(c, "AUTH refused " + secret);
        protocol.expectReply(c, reply);
    }

    @When("{conn} fails to authenticate as {word} with {int} different wrong secrets")
    public void failsWith(String label, String name, int count) {
        WireClient c = clients.connect(label);
        for (int i = 1; i <= count; i++) {
            String wrong = "wrong-" + i + "-" + secrets.secret(name);
            secrets.secret(label + "#wrong-" + i, wrong);
            clients.sendLine(c, "AUTH " + name + " " + wrong);
            protocol.expectReply(c, "ERR auth-failed");
        }
    }

    /** Each secret in the forms a careless build might store it: clear, hex (both cases), Base64, UTF-16. */
    static Map<String, byte[]> plainForms(String secret) {
        byte[] utf8 = secret.getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> forms = new LinkedHashMap<>();
        forms.put("in clear", utf8);
        forms.put("as lower-case hex", HexFormat.of().formatHex(utf8).getBytes(StandardCharsets.US_ASCII));
        forms.put("as upper-case hex", HexFormat.of().withUpperCase().formatHex(utf8)
                .getBytes(StandardCharsets.US_ASCII));
        // The first 3n bytes encode the same way wherever the secret starts in a longer text.
        byte[] aligned = Arrays.copyOf(utf8, utf8.length - utf8.length % 3);
        forms.put("in Base64", Base64.getEncoder().withoutPadding().encode(aligned));
        forms.put("in UTF-16LE", secret.getBytes(StandardCharsets.UTF_16LE));
        forms.put("in UTF-16BE", secret.getBytes(StandardCharsets.UTF_16BE));
        return forms;
    }

    private List<String> filesHoldingSecrets() {
        List<Map.Entry<String, byte[]>> files = new ArrayList<>();
        // The server's directories and its files in shared ones (/tmp, the user's home): support.FileScan.
        for (FileScan.Found f : evidence.filesOfServer(s -> plainForms(s).values())) {
            files.add(Map.entry(f.shown(), f.content()));
        }
        if (scratchDataDir != null) {
            try (Stream<Path> s = Files.walk(scratchDataDir)) {
                for (Path f : s.filter(Files::isRegularFile).toList()) {
                    try {
                        files.add(Map.entry(f.getFileName().toString(), Files.readAllBytes(f)));
                    } catch (IOException e) {
                        // Gone in the meantime (a -shm file).
                    }
                }
            } catch (IOException e) {
                throw ctx.failure("a readable directory " + scratchDataDir, e.toString());
            }
        }
        List<String> hits = new ArrayList<>();
        for (Map.Entry<String, byte[]> f : files) {
            for (String secret : secrets.secrets().values().stream().distinct().toList()) {
                for (Map.Entry<String, byte[]> form : plainForms(secret).entrySet()) {
                    if (FileScan.indexOf(f.getValue(), form.getValue()) >= 0) {
                        hits.add(f.getKey() + " holds \"" + secret + "\" " + form.getKey());
                    }
                }
            }
        }
        return hits;
    }

    @Then("no file under the server's directories holds any secret the clients sent, in clear or in a plain"
            + " encoding, while the server runs or after it stops")
    public void noSecretInAnyForm() {
        List<String> hits = filesHoldingSecrets();
        ctx.check(hits.isEmpty(), "while the server runs, no file holds any secret the clients sent (the kit's, the"
                + " wrong ones, the refused ones) in clear, hex, Base64 or UTF-16", String.join("; ", hits));
        servers.stop(ctx.server());
        hits = filesHoldingSecrets();
        ctx.check(hits.isEmpty(), "after the server stopped, no file holds any secret the clients sent in clear, hex,"
                + " Base64 or UTF-16", String.join("; ", hits));
    }

    @After(order = 30)
    public void release() {
        if (swarm != null) {
            swarm.close();
        }
    }

    /** Runs after the context has stopped the server (hooks run in reverse order). */
    @After(order = 1)
    public void removeScratch() {
        if (scratchDataDir != null) {
            evidence.shutdown();
            ScenarioContext.deleteTree(scratchDataDir);
        }
    }
}

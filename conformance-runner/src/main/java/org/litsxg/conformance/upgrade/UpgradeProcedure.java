package org.litsxg.conformance.upgrade;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.litsxg.conformance.support.CommandTemplate;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.StoreSnapshot;
import org.litsxg.conformance.support.WireClient;
import org.litsxg.conformance.upgrade.UpgradeInPlace.Check;
import org.litsxg.conformance.upgrade.UpgradeInPlace.Reason;
import org.litsxg.conformance.upgrade.UpgradeInPlace.Result;
import org.litsxg.conformance.upgrade.UpgradeInPlace.SetupFailure;

/**
 * The procedure of {@link UpgradeInPlace}, with real processes and sockets: the old build
 * registers, queues and is probed; the new build starts on its data directory and is checked
 * against it; the old build starts again (reported only). One run per instance.
 */
final class UpgradeProcedure {

    private static final List<String> NAMES = UpgradeInPlace.NAMES;
    private static final List<String> PROBES = UpgradeInPlace.PROBES;

    private final CommandTemplate from;
    private final CommandTemplate to;
    private final Duration startup;
    private final Duration reply;
    private final Duration quiet;
    private final Duration stop;
    private final SecureRandom random = new SecureRandom();
    private final long origin = System.nanoTime();
    private final List<WireClient> clients = new ArrayList<>();

    UpgradeProcedure(CommandTemplate from, CommandTemplate to, Duration startup, Duration reply, Duration quiet,
            Duration stop) {
        this.from = from;
        this.to = to;
        this.startup = startup;
        this.reply = reply;
        this.quiet = quiet;
        this.stop = stop;
    }

    /** Runs the whole check on a server rooted in {@code root}. Blocks; stops every process it started. */
    Result run(Path root) throws IOException, SetupFailure {
        ServerInstance server = new ServerInstance("upgrade", root, from);
        try {
            return run(server);
        } finally {
            clients.forEach(WireClient::close);
            server.close();
        }
    }

    private Result run(ServerInstance server) throws IOException, SetupFailure {
        List<Check> checks = new ArrayList<>();
        Map<String, String> secrets = new LinkedHashMap<>();
        NAMES.forEach(n -> secrets.put(n, "up-" + token(12)));
        List<String> texts = new ArrayList<>();

        // 1. The old build: register, queue, probe, stop.
        ServerProcess old = start(server, from, "old build");
        if (!old.awaitAccepting(server.address(), startup)) {
            throw new SetupFailure("the --from build did not start on a fresh data directory: " + why(old));
        }
        WireClient sender = null;
        for (String name : NAMES) {
            WireClient c = connect(server, name);
            String r = ask(c, "AUTH " + name + " " + secrets.get(name));
            if (!r.startsWith("OK registered")) {
                throw new SetupFailure("the --from build did not register " + name + ": it answered " + r);
            }
            if (sender == null) {
                sender = c;
            } else {
                c.close();
            }
        }
        int queued = 0;
        for (String name : NAMES.subList(1, NAMES.size())) {
            for (int i = 1; i <= 2; i++) {
                String text = "upgrade-check " + i + " for " + name + " " + token(10);
                texts.add(text);
                String r = ask(sender, "SEND " + name + " " + text);
                if (!r.startsWith("OK queued")) {
                    throw new SetupFailure("the --from build did not queue a message for offline " + name
                            + ": it answered " + r);
                }
                queued++;
            }
        }
        Map<String, String> oldProbes = probe(server, secrets);
        clients.forEach(WireClient::close);
        old.terminate(stop);
        Map<String, String> filesBefore = DataDirDigest.files(server.root());
        StoreSnapshot storeBefore = DataDirDigest.store(server.dataDir());

        // 2. The new build on the same directory.
        ServerProcess neu = start(server, to, "new build");
        if (!neu.awaitAccepting(server.address(), startup)) {
            checks.add(new Check("the new build starts on the old build's data directory", false,
                    Reason.DOES_NOT_START, why(neu)));
            neu.terminate(stop);
        } else {
            checks.add(new Check("the new build starts on the old build's data directory", true, null, ""));
            identities(server, secrets, checks);
            checks.add(queuedLost(server, secrets, queued));
            checks.add(UpgradeChecks.extensions(oldProbes, probe(server, secrets)));
            clients.forEach(WireClient::close);
            neu.terminate(stop);
            Map<String, String> filesAfter = DataDirDigest.files(server.root());
            StoreSnapshot storeAfter = DataDirDigest.store(server.dataDir());
            checks.add(UpgradeChecks.migration(storeBefore, storeAfter));
            List<String> secretsAndWrong = new ArrayList<>(secrets.values());
            secrets.values().forEach(s -> secretsAndWrong.add(s + "-wrong"));
            checks.add(UpgradeChecks.plaintext(server.root(), filesBefore, filesAfter, texts, secretsAndWrong));
        }
        Map<String, String> filesAfter = DataDirDigest.files(server.root());
        String after = DataDirDigest.describe(DataDirDigest.store(server.dataDir()));

        // 3. Rollback: the old build again, reported only.
        String rollback = rollback(server, secrets);
        return new Result(List.copyOf(checks), rollback, DataDirDigest.listing(filesBefore),
                DataDirDigest.listing(filesAfter), DataDirDigest.describe(storeBefore), after, NAMES.size(), queued);
    }

    private void identities(ServerInstance server, Map<String, String> secrets, List<Check> checks) {
        List<String> lost = new ArrayList<>();
        List<String> open = new ArrayList<>();
        for (Map.Entry<String, String> e : secrets.entrySet()) {
            WireClient c = connect(server, e.getKey() + "#new");
            String r = ask(c, "AUTH " + e.getKey() + " " + e.getValue());
            if (!r.startsWith("OK authenticated")) {
                lost.add(e.getKey() + " with its secret got \"" + r + "\"");
            }
            c.close();
            WireClient w = connect(server, e.getKey() + "#wrong");
            String rw = ask(w, "AUTH " + e.getKey() + " " + e.getValue() + "-wrong");
            if (!rw.startsWith("ERR auth-failed")) {
                open.add(e.getKey() + " with a wrong secret got \"" + rw + "\"");
            }
            w.close();
        }
        checks.add(new Check("every identity authenticates with its secret (" + secrets.size() + ")", lost.isEmpty(),
                Reason.LOST_IDENTITIES, String.join("; ", lost)));
        checks.add(new Check("every identity refuses a wrong secret (" + secrets.size() + ")", open.isEmpty(),
                Reason.LOST_IDENTITIES, String.join("; ", open)));
    }

    private Check queuedLost(ServerInstance server, Map<String, String> secrets, int queued) {
        List<String> arrived = new ArrayList<>();
        for (String name : NAMES.subList(1, NAMES.size())) {
            WireClient c = connect(server, name + "#queue");
            String r = ask(c, "AUTH " + name + " " + secrets.get(name));
            Optional<Received> got = c.firstArrivalWithin(quiet);
            if (got.isPresent() && got.get() instanceof Received.Line l && l.isMessage()) {
                arrived.add(name + " got a message queued before the upgrade");
            } else if (!r.startsWith("OK authenticated")) {
                // Counted under the identity check already; nothing to say about the queue.
                continue;
            }
            c.close();
        }
        return new Check("messages queued before the upgrade are lost (" + queued + " queued)", arrived.isEmpty(),
                Reason.QUEUED_MESSAGES_KEPT, String.join("; ", arrived));
    }

    private Map<String, String> probe(ServerInstance server, Map<String, String> secrets) {
        Map<String, String> answers = new TreeMap<>();
        WireClient before = connect(server, "probe");
        WireClient after = connect(server, "probe-authenticated");
        String name = NAMES.get(0);
        ask(after, "AUTH " + name + " " + secrets.get(name));
        for (String word : PROBES) {
            answers.put(word + " (before AUTH)", BehaviourDiff.vocabularyWord(ask(before, word)));
            answers.put(word + " (after AUTH)", BehaviourDiff.vocabularyWord(ask(after, word)));
        }
        before.close();
        after.close();
        return answers;
    }

    private String rollback(ServerInstance server, Map<String, String> secrets) {
        ServerProcess p = start(server, from, "old build again");
        try {
            if (!p.awaitAccepting(server.address(), startup)) {
                return "the old build does not start on the upgraded data directory: " + why(p);
            }
            int served = 0;
            for (Map.Entry<String, String> e : secrets.entrySet()) {
                WireClient c = connect(server, e.getKey() + "#rollback");
                if (ask(c, "AUTH " + e.getKey() + " " + e.getValue()).startsWith("OK authenticated")) {
                    served++;
                }
                c.close();
            }
            return "the old build starts again on the upgraded data directory and serves " + served + "/"
                    + secrets.size() + " identities";
        } finally {
            clients.forEach(WireClient::close);
            p.terminate(stop);
        }
    }

    // ------------------------------------------------------------------ plumbing

    private ServerProcess start(ServerInstance server, CommandTemplate template, String label) {
        server.template(template);
        try {
            return server.launch(label, List.of(), origin, null, null);
        } catch (IOException e) {
            throw new IllegalStateException("cannot execute " + server.argv().get(0) + ": " + e.getMessage(), e);
        }
    }

    private static String why(ServerProcess p) {
        List<String> err = p.stderr().lines();
        String last = err.isEmpty() ? "" : "; its stderr said: " + err.get(err.size() - 1).strip();
        return (p.isAlive() ? "it did not accept connections" : "it exited with status "
                + p.exitStatus().map(String::valueOf).orElse("?")) + last;
    }

    private WireClient connect(ServerInstance server, String label) {
        try {
            WireClient c = WireClient.connect(label, server.address(), reply, origin);
            clients.add(c);
            return c;
        } catch (IOException e) {
            throw new IllegalStateException("cannot connect to " + server.address() + ": " + e.getMessage(), e);
        }
    }

    /** Sends a line and returns the reply (first line that is not MSG), or a description of what happened instead. */
    private String ask(WireClient c, String line) {
        try {
            c.send(line);
        } catch (IOException e) {
            return "(send failed: " + e.getMessage() + ")";
        }
        Received r = c.nextReply(reply);
        return r instanceof Received.Line l ? l.text() : "(" + r + ")";
    }

    private String token(int n) {
        String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}

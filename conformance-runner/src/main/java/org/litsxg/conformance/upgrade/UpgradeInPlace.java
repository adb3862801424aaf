package org.litsxg.conformance.upgrade;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.litsxg.conformance.support.CommandTemplate;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.ServerProcess;
import org.litsxg.conformance.support.StoreSnapshot;
import org.litsxg.conformance.support.Transcript;
import org.litsxg.conformance.support.WireClient;

/**
 * The upgrade as an operator does it (seed 000: stop, replace the binary, start), on one data
 * directory, with real processes and sockets:
 * <ol>
 *   <li>the old build starts on a fresh data directory; identities are registered and messages
 *       queued for those offline; unknown command words are probed; the build is stopped
 *       (SIGTERM);</li>
 *   <li>the data directory is snapshotted: its files with their sha256, the SQLite schema,
 *       {@code PRAGMA user_version}, and a digest of every row;</li>
 *   <li>the new build starts on the same directory: every identity must authenticate with its
 *       secret and be refused with a wrong one; no queued message may arrive; the probed words
 *       must get the answers they got from the old build; it is stopped and the directory
 *       compared with the snapshot (no migration, no file holding a message or secret in clear);</li>
 *   <li>rollback: the old build starts again on the directory; whether it serves the identities
 *       is reported, never judged (the policy allows either).</li>
 * </ol>
 * Blocks for a few seconds plus three build starts. Secrets and message texts are random per
 * run and never printed.
 */
public final class UpgradeInPlace {

    /** What a check found wrong, under the policy's name for it. */
    public enum Reason {
        LOST_IDENTITIES("lost identities"),
        MIGRATION("migration"),
        EXTENSION("extension"),
        QUEUED_MESSAGES_KEPT("queued messages kept"),
        PLAINTEXT_ON_DISK("plaintext on disk"),
        DOES_NOT_START("does not start on the old data directory");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One check of the upgrade: what it checked, whether it held, what was seen. */
    public record Check(String what, boolean passed, Reason reason, String detail) {
    }

    /** Everything the upgrade in place found. */
    public record Result(List<Check> checks, String rollback, List<String> filesBefore, List<String> filesAfter,
            String storeBefore, String storeAfter, int identities, int queued) {

        public boolean passed() {
            return checks.stream().allMatch(Check::passed);
        }

        public List<Check> failures() {
            return checks.stream().filter(c -> !c.passed()).toList();
        }
    }

    /** The old build could not be set up (it would not start, or did not register identities). */
    public static final class SetupFailure extends Exception {
        public SetupFailure(String message) {
            super(message);
        }
    }

    /** Identities the check registers; the first stays online to queue messages for the others. */
    static final List<String> NAMES = List.of("alice", "bob", "carol", "dave");

    /**
     * Command words outside the contract: each must get {@code ERR unknown-command} from the new
     * build whenever it got that from the old one. The contract's own examples, then words other
     * chat protocols use.
     */
    static final List<String> PROBES = List.of("VERSION", "CAP", "STARTTLS", "HELP", "LIST", "WHO", "WHOIS",
            "NAMES", "JOIN", "NICK", "USER", "PASS", "REGISTER", "PASSWD", "DELETE", "HISTORY", "STATUS",
            "ONLINE", "USERS", "INFO", "MOTD", "TIME", "NOOP", "ACK", "KEY", "AUTH2", "EXT", "FEATURES");

    private final CommandTemplate from;
    private final CommandTemplate to;
    private final Duration startup;
    private final Duration reply;
    private final Duration quiet;
    private final Duration stop;
    private final Path root;
    private final SecureRandom random = new SecureRandom();
    private final long origin = System.nanoTime();
    private final List<WireClient> clients = new ArrayList<>();

    /**
     * @param root     an empty directory the check may use (the data directory lives below it)
     * @param timescale multiplies every wait
     */
    public UpgradeInPlace(CommandTemplate from, CommandTemplate to, Path root, Duration startup, double timescale) {
        this.from = from;
        this.to = to;
        this.root = root;
        this.startup = startup;
        this.reply = scale(Duration.ofSeconds(10), timescale);
        this.quiet = scale(Duration.ofMillis(500), timescale);
        this.stop = scale(Duration.ofSeconds(10), timescale);
    }

    private static Duration scale(Duration d, double x) {
        return Duration.ofNanos((long) (d.toNanos() * x));
    }

    /** Runs the whole check. Blocks; every process it started is stopped when it returns. */
    public Result run() throws IOException, SetupFailure {
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
        Map<String, String> filesBefore = files(server.root());
        StoreSnapshot storeBefore = store(server.dataDir());

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
            checks.add(extensions(oldProbes, probe(server, secrets)));
            clients.forEach(WireClient::close);
            neu.terminate(stop);
            Map<String, String> filesAfter = files(server.root());
            StoreSnapshot storeAfter = store(server.dataDir());
            checks.add(migration(storeBefore, storeAfter));
            List<String> secretsAndWrong = new ArrayList<>(secrets.values());
            secrets.values().forEach(s -> secretsAndWrong.add(s + "-wrong"));
            checks.add(plaintext(server.root(), filesBefore, filesAfter, texts, secretsAndWrong));
        }
        Map<String, String> filesAfter = files(server.root());
        String after = describe(store(server.dataDir()));

        // 3. Rollback: the old build again, reported only.
        String rollback = rollback(server, secrets);
        return new Result(List.copyOf(checks), rollback, listing(filesBefore), listing(filesAfter),
                describe(storeBefore), after, NAMES.size(), queued);
    }

    // ------------------------------------------------------------------ checks

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

    private static Check extensions(Map<String, String> old, Map<String, String> neu) {
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, String> e : neu.entrySet()) {
            String was = old.getOrDefault(e.getKey(), "");
            if (was.equals("ERR unknown-command") && !e.getValue().equals("ERR unknown-command")) {
                found.add("command " + e.getKey() + " answered \"" + e.getValue() + "\" (the old build: ERR unknown-command)");
            }
        }
        return new Check("no command word the old build did not know (" + PROBES.size() + " probed)", found.isEmpty(),
                Reason.EXTENSION, String.join("; ", found));
    }

    private static Check migration(StoreSnapshot before, StoreSnapshot after) {
        List<String> changes = new ArrayList<>();
        if (before == null) {
            return new Check("no migration (the old build left no " + StoreSnapshot.DATABASE + ")", after == null,
                    Reason.MIGRATION, after == null ? "" : "the new build created " + StoreSnapshot.DATABASE);
        }
        if (after == null) {
            return new Check("no migration", false, Reason.MIGRATION, StoreSnapshot.DATABASE + " is gone");
        }
        if (before.userVersion() != after.userVersion()) {
            changes.add("user_version " + before.userVersion() + " -> " + after.userVersion());
        }
        if (!before.schema().equals(after.schema())) {
            List<String> added = new ArrayList<>(after.schema());
            added.removeAll(before.schema());
            List<String> removed = new ArrayList<>(before.schema());
            removed.removeAll(after.schema());
            changes.add("schema changed" + (removed.isEmpty() ? "" : "; was: " + String.join(" | ", removed))
                    + (added.isEmpty() ? "" : "; now: " + String.join(" | ", added)));
        }
        List<String> digestsAfter = after.rows().stream().map(UpgradeInPlace::sha256).toList();
        long changed = before.rows().stream().map(UpgradeInPlace::sha256).filter(d -> !digestsAfter.contains(d)).count();
        if (changed > 0) {
            changes.add(changed + " of " + before.rows().size() + " pre-existing rows changed or removed");
        }
        if (after.rows().size() > before.rows().size() - changed) {
            changes.add((after.rows().size() - (before.rows().size() - changed)) + " rows added or rewritten");
        }
        return new Check("no migration: schema, user_version " + before.userVersion() + " and " + before.rows().size()
                + " rows unchanged", changes.isEmpty(), Reason.MIGRATION, String.join("; ", changes));
    }

    private static Check plaintext(Path root, Map<String, String> before, Map<String, String> after, List<String> texts,
            List<String> secrets) throws IOException {
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, String> e : after.entrySet()) {
            if (e.getValue().equals(before.get(e.getKey()))) {
                continue;
            }
            byte[] content = Files.readAllBytes(root.resolve(e.getKey()));
            String hay = new String(content, StandardCharsets.ISO_8859_1);
            if (texts.stream().anyMatch(t -> hay.contains(new String(t.getBytes(StandardCharsets.UTF_8),
                    StandardCharsets.ISO_8859_1)))) {
                found.add(e.getKey() + " holds a message text");
            }
            if (secrets.stream().anyMatch(hay::contains)) {
                found.add(e.getKey() + " holds a secret");
            }
        }
        return new Check("no file the new build wrote holds a message text or a secret in clear", found.isEmpty(),
                Reason.PLAINTEXT_ON_DISK, String.join("; ", found));
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

    // ------------------------------------------------------------------ helpers

    private ServerProcess start(ServerInstance server, CommandTemplate template, String label) {
        server.template(template);
        try {
            ServerProcess p = ServerProcess.start(label, server.argv(), server.workDir(), server.environment(), origin,
                    null);
            server.started(p);
            return p;
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
            WireClient c = WireClient.connect(label, server.address(), reply, new Transcript(label, origin), 0, false);
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

    private static StoreSnapshot store(Path dataDir) throws IOException {
        if (!Files.isRegularFile(dataDir.resolve(StoreSnapshot.DATABASE))) {
            return null;
        }
        Path scratch = Files.createTempDirectory("litsxg-upgrade-snapshot");
        try {
            return StoreSnapshot.read(dataDir, scratch);
        } catch (SQLException e) {
            throw new IOException("cannot read " + dataDir.resolve(StoreSnapshot.DATABASE) + ": " + e.getMessage(), e);
        } finally {
            try (Stream<Path> walk = Files.walk(scratch)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Every regular file under {@code root}, relative path to sha256. */
    static Map<String, String> files(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p).toString(), sha256(p));
            }
        }
        return out;
    }

    private static List<String> listing(Map<String, String> files) {
        List<String> out = new ArrayList<>();
        files.forEach((f, d) -> out.add(f + " sha256=" + d));
        return out;
    }

    /**
     * The store for a report: user_version, schema, and a digest of each row. Rows are shown only
     * as digests: a broken build may hold a secret in a row, and a report never shows one.
     */
    static String describe(StoreSnapshot s) {
        if (s == null) {
            return "(no " + StoreSnapshot.DATABASE + ")";
        }
        StringBuilder out = new StringBuilder("user_version=" + s.userVersion() + "\nschema:\n");
        s.schema().forEach(x -> out.append("  ").append(x).append('\n'));
        out.append("rows (sha256 of each):\n");
        s.rows().forEach(r -> out.append("  ").append(r, 0, Math.max(0, r.indexOf(':'))).append(' ')
                .append(sha256(r)).append('\n'));
        return out.toString();
    }

    static String sha256(String text) {
        return hex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return hex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}

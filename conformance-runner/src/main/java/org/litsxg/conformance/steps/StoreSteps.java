package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.Map;
import java.util.stream.Collectors;
import org.litsxg.conformance.support.FileScan;
import org.litsxg.conformance.support.Pbkdf2;
import org.litsxg.conformance.support.Received;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.StoreSnapshot;
import org.litsxg.conformance.support.Unimplemented;
import org.litsxg.conformance.support.WireClient;

/**
 * Steps about what persists: identities.db read from outside, file modes, file contents,
 * deletions and backups made by "the operator" while the server is stopped.
 */
public final class StoreSteps {

    /**
     * The files of the data directory named by the contract (STORE-9, spec 1.1): the database
     * and SQLite's companion files of any journal mode. Besides them the directory may hold one
     * lock file of any name: a file the build held a lock on while it ran.
     */
    static final Set<String> DATA_DIR_FILES = Set.of("identities.db", "identities.db-wal", "identities.db-shm",
            "identities.db-journal");

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Clients clients;
    private final Secrets secrets;
    private final Protocol protocol;
    private final Evidence evidence;
    private Path backup;

    public StoreSteps(ScenarioContext ctx, Servers servers, Clients clients, Secrets secrets, Protocol protocol, Evidence evidence) {
        this.ctx = ctx;
        this.servers = servers;
        this.clients = clients;
        this.secrets = secrets;
        this.protocol = protocol;
        this.evidence = evidence;
    }

    private StoreSnapshot store() {
        return servers.readStore(ctx.server());
    }

    // ------------------------------------------------------------------ authentication checks

    private void expectAuth(String name, String secret, String expected, String what) {
        Received r = protocol.authOnNewConnection(name, secret);
        ctx.check(r instanceof Received.Line l && l.firstTokens(2).equals(expected), what + ": \"" + expected + "\"",
                "got " + r);
    }

    @Then("{word} can authenticate with her/his secret")
    public void canAuthenticate(String name) {
        expectAuth(name, secrets.secret(name), "OK authenticated", name + " authenticates with the secret it registered");
    }

    @Then("{word}'s wrong secret is refused")
    public void wrongRefused(String name) {
        expectAuth(name, "not-" + secrets.secret(name), "ERR auth-failed", name + " with a wrong secret is refused");
    }

    @Then("{word} can register again with another secret")
    public void registerAgain(String name) {
        String other = "another-" + secrets.secret(name);
        expectAuth(name, other, "OK registered", name + " is unknown and can be claimed again");
        secrets.secret(name, other);
    }

    @Given("{word} has registered and the server process was killed right after her/his {string}")
    public void registeredThenKilled(String name, String reply) {
        WireClient c = clients.connect(name);
        protocol.authenticate(c, reply);
        ctx.server().current().kill();
    }

    @Given("{word} is registered with the secret {string}")
    public void registeredWithSecret(String name, String secret) {
        secrets.secret(name, secret);
        protocol.register(name);
    }

    @Given("{word} and {word} are registered with the same secret")
    public void sameSecret(String a, String b) {
        secrets.secret(b, secrets.secret(a));
        protocol.register(a);
        protocol.register(b);
    }

    // ------------------------------------------------------------------ the database from outside

    @Then("the data directory holds identities.db, a SQLite database with a row naming {word}")
    public void holdsDatabase(String name) {
        StoreSnapshot s = store();
        ctx.check(!s.rowsNaming(name).isEmpty(), "a row with a column holding \"" + name + "\"", s.toString());
    }

    /**
     * Where {@code name}'s row keeps the PBKDF2 salt, iterations and key of its secret. A row
     * the kit cannot read (an encoding it does not know, spec STORE-5) makes the scenario NOT
     * RUN with the reason: the kit cannot tell such a row from a wrong one.
     */
    private Pbkdf2.Layout layout(StoreSnapshot s, String name) {
        List<StoreSnapshot.Row> rows = s.rowsNaming(name);
        if (rows.isEmpty()) {
            throw ctx.failure("a row of identities.db naming " + name, "none does:\n" + s);
        }
        for (StoreSnapshot.Row r : rows) {
            Optional<Pbkdf2.Layout> l = Pbkdf2.find(r.values(), secrets.secret(name));
            if (l.isPresent()) {
                return l.get();
            }
        }
        throw new Unimplemented("the kit cannot read how " + name + "'s row keeps its PBKDF2-HMAC-SHA256 salt,"
                + " iterations and key (it reads columns of their own as BLOB, hex or Base64, PHC and passlib"
                + " strings, Django strings and JSON members; STORE-5); the rows: " + s.rowsMentioning(name));
    }

    @Then("{word}'s row holds a PBKDF2-HMAC-SHA256 hash of her/his secret, with the salt and iteration count used")
    public void holdsHash(String name) {
        Pbkdf2.Layout l = layout(store(), name);
        ctx.check(l.salt().length >= 8, "a salt of at least 8 bytes", l.salt().length + " bytes");
        ctx.scenario().log("layout of " + name + "'s row: salt " + l.saltField() + " (" + l.saltEncoding() + ", "
                + l.salt().length + " bytes), iterations " + l.iterationsField() + " = " + l.iterations() + ", key "
                + l.hashField() + " (" + l.hashEncoding() + ", " + l.keyLength() + " bytes)");
    }

    @Then("{word}'s and {word}'s rows hold different salts and different hashes")
    public void differentSalts(String a, String b) {
        StoreSnapshot s = store();
        Pbkdf2.Layout la = layout(s, a);
        Pbkdf2.Layout lb = layout(s, b);
        boolean sameHash = Arrays.equals(la.hash(), lb.hash());
        ctx.check(!Arrays.equals(la.salt(), lb.salt()) && !sameHash,
                "two names with the same secret have different salts and hashes", "same salt: "
                        + Arrays.equals(la.salt(), lb.salt()) + ", same hash: " + sameHash);
    }

    @Given("while the server was stopped {word}'s row was rewritten with {int} iterations")
    public void rewritten(String name, int iterations) {
        servers.stopIfRunning();
        StoreSnapshot s = store();
        StoreSnapshot.Row row = s.rowsNaming(name).stream().findFirst().orElseThrow(() ->
                new Unimplemented("no row of identities.db names " + name));
        Pbkdf2.Layout l = Pbkdf2.find(row.values(), secrets.secret(name)).orElseThrow(() -> new Unimplemented(
                "the kit cannot find the PBKDF2 salt, iterations and key on " + name + "'s row"));
        String nameColumn = row.columnHolding(name).orElseThrow();
        Map<String, Object> changes = l.rewrite(row.values(), secrets.secret(name), iterations);
        update(row.table(), changes.keySet().stream().map(c -> "\"" + c + "\" = ?").collect(Collectors.joining(", ")),
                nameColumn, name, changes.values().toArray());
    }

    @Given("while the server was stopped {word}'s row was deleted")
    public void rowDeleted(String name) {
        servers.stopIfRunning();
        StoreSnapshot.Row row = store().rowsNaming(name).stream().findFirst().orElseThrow(() ->
                ctx.failure("a row of identities.db names " + name, "none does"));
        String col = row.columnHolding(name).orElseThrow();
        sql("DELETE FROM \"" + row.table() + "\" WHERE \"" + col + "\" = ?", name);
    }

    private void update(String table, String set, String nameColumn, String name, Object... values) {
        Object[] params = Arrays.copyOf(values, values.length + 1);
        params[values.length] = name;
        sql("UPDATE \"" + table + "\" SET " + set + " WHERE \"" + nameColumn + "\" = ?", params);
    }

    /** Runs one statement on the stopped server's live identities.db, as an operator would. */
    private void sql(String statement, Object... params) {
        Path db = ctx.server().dataDir().resolve(StoreSnapshot.DATABASE);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                PreparedStatement st = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            int n = st.executeUpdate();
            ctx.check(n == 1, "the operator's statement changes one row: " + statement, n + " rows changed");
        } catch (SQLException e) {
            throw new IllegalStateException("the kit cannot edit " + db + ": " + e.getMessage(), e);
        }
    }

    @Then("the kit records the schema and user_version of identities.db")
    public void recordSchema() {
        StoreSnapshot s = store();
        ctx.observe("user_version " + s.userVersion() + "; schema: " + String.join("; ", s.schema()));
    }

    @Then("the identity store is byte-identical to the one before the restart/upgrade")
    public void identical() {
        StoreSnapshot before = servers.recordedStore("restart").orElseThrow(() ->
                new IllegalStateException("no identity store was recorded before the restart"));
        servers.stopIfRunning();
        StoreSnapshot after = store();
        ctx.check(before.sameAs(after), "schema, user_version and rows unchanged:\n" + before, after.toString());
        List<String> diff = before.contentDifferences(after);
        ctx.check(diff.isEmpty(), "identities.db byte-identical, page by page with its WAL folded in (only the header"
                + " bytes SQLite itself rewrites on any write may differ: 18-19 journal mode, 24-27 change counter,"
                + " 92-99 version numbers)", String.join("; ", diff));
    }

    // ------------------------------------------------------------------ files

    /**
     * Every file the server may have written: its working (with the data directory), temporary
     * and home directories, and its files in shared directories ({@link FileScan}).
     */
    private List<FileScan.Found> files() {
        return evidence.filesOfServer(s -> SecuritySteps.plainForms(s).values());
    }

    /** The files that hold any of {@code needles} as bytes, with which. */
    private List<String> filesHolding(List<String> needles) {
        List<String> hits = new ArrayList<>();
        for (FileScan.Found f : files()) {
            for (String n : needles) {
                if (indexOf(f.content(), n.getBytes(StandardCharsets.UTF_8)) >= 0) {
                    hits.add(f.shown() + " holds \"" + n + "\"");
                }
            }
        }
        return hits;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        return FileScan.indexOf(hay, needle);
    }

    private static final String WHERE = "its working, data, temporary (TMPDIR) and home (HOME) directories, nor in /tmp,"
            + " /var/tmp or the user's home";

    @Then("no file under the server's directories holds any secret the clients sent")
    public void noSecretInFiles() {
        List<String> used = secrets.secrets().values().stream().distinct().toList();
        List<String> hits = filesHolding(used);
        ctx.check(hits.isEmpty(), "no file the server wrote (in " + WHERE + ") holds any of the secrets " + used,
                String.join("; ", hits));
    }

    @Then("no file under the server's directories holds any message text, now or after a stop")
    public void noMessageInFiles() {
        List<String> texts = secrets.messageTexts().stream().distinct().toList();
        List<String> hits = filesHolding(texts);
        ctx.check(hits.isEmpty(), "while the server runs, no file (in " + WHERE + ") holds any message text " + texts,
                String.join("; ", hits));
        servers.stop(ctx.server());
        hits = filesHolding(texts);
        ctx.check(hits.isEmpty(), "after the server stopped, no file (in " + WHERE + ") holds any message text "
                + texts, String.join("; ", hits));
    }

    @Then("the data directory holds nothing but identities.db, SQLite's companion files and one lock file")
    public void onlyContractFiles() {
        List<String> extra = dataDirExtras();
        ctx.check(extra.isEmpty(), "the data directory holds only " + DATA_DIR_FILES + " and one lock file (a file"
                + " the build held a lock on while it ran)", "it also holds " + extra);
    }

    /**
     * The names in the data directory beyond the database, its SQLite companions and the lock:
     * the lock is a file whose inode the build held a lock on while it ran ({@code /proc/locks}),
     * and there is at most one besides the database's own.
     */
    private List<String> dataDirExtras() {
        Set<Long> locked = new java.util.HashSet<>();
        boolean visible = false;
        for (var p : ctx.server().processes()) {
            locked.addAll(p.lockedInodes());
            visible |= p.locksVisible();
        }
        List<String> others = new ArrayList<>();
        List<String> locks = new ArrayList<>();
        try (Stream<Path> list = Files.list(ctx.server().dataDir())) {
            for (Path p : list.sorted().toList()) {
                String n = p.getFileName().toString();
                if (DATA_DIR_FILES.contains(n) && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Object ino = Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        ? Files.getAttribute(p, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS) : null;
                // Without /proc/locks (not Linux) the kit cannot see which file is locked: then
                // any one file may be the lock.
                if (ino != null && (!visible || ino instanceof Long i && locked.contains(i)) && locks.isEmpty()) {
                    locks.add(n);
                } else {
                    others.add(n + (ino == null ? " (not a regular file)" : ""));
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw ctx.failure("a readable data directory " + ctx.server().dataDir(), e.toString());
        }
        if (!locks.isEmpty() && !others.isEmpty()) {
            ctx.scenario().log("lock file of the data directory: " + locks);
        }
        return others;
    }

    @Then("after a stop no file exists under the server's directories but those the contract names")
    public void noOtherFilesAfterStop() {
        servers.stopIfRunning();
        noOtherFiles();
    }

    @Then("no file exists under the server's directories but those the contract names")
    public void noOtherFiles() {
        List<String> extra = new ArrayList<>();
        Path data = ctx.server().dataDir();
        for (FileScan.Found f : files()) {
            if (f.shared() || !f.file().getParent().equals(data)) {
                extra.add(f.shown());
            }
        }
        extra.addAll(dataDirExtras().stream().map(n -> ctx.server().root().relativize(data.resolve(n)).toString())
                .toList());
        ctx.check(extra.isEmpty(), "no file in the working, temporary or home directory, none the build wrote in /tmp,"
                + " /var/tmp or the user's home, and none in the data directory but " + DATA_DIR_FILES
                + " and one lock file", "found " + extra);
    }

    @Then("no file under the server's directories is named like a status, health, metrics, stats or pid file")
    public void noStatusFile() {
        List<String> named = files().stream().map(FileScan.Found::shown)
                .filter(n -> n.toLowerCase(java.util.Locale.ROOT)
                        .matches(".*(status|health|metric|stats|\\.pid$|pidfile|heartbeat|monitor).*"))
                .toList();
        ctx.check(named.isEmpty(), "no status, health, metrics, stats or pid file", "found " + named);
    }

    @Then("the data directory has mode {word}")
    public void dataDirMode(String mode) {
        checkMode(ctx.server().dataDir(), mode);
    }

    @Then("identities.db has mode {word}")
    public void dbMode(String mode) {
        checkMode(ctx.server().dataDir().resolve(StoreSnapshot.DATABASE), mode);
    }

    private void checkMode(Path p, String octal) {
        String actual;
        try {
            actual = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (IOException e) {
            throw ctx.failure(p + " exists", e.toString());
        }
        int bits = Integer.parseInt(octal, 8);
        StringBuilder expected = new StringBuilder();
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            expected.append((bits & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        ctx.check(actual.equals(expected.toString()), p.getFileName() + " has mode " + octal + " (" + expected + ")",
                actual);
    }

    // ------------------------------------------------------------------ operator actions while stopped

    @Given("while the server was stopped identities.db was deleted")
    public void dbDeleted() {
        servers.stopIfRunning();
        Path dir = ctx.server().dataDir();
        try {
            for (String f : List.of("identities.db", "identities.db-wal", "identities.db-shm")) {
                Files.deleteIfExists(dir.resolve(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Given("while the server was stopped the data directory was deleted")
    public void dataDirDeleted() {
        servers.stopIfRunning();
        ScenarioContext.deleteTree(ctx.server().dataDir());
    }

    @Given("a copy of identities.db was taken while the server was stopped")
    public void backupTaken() {
        servers.stopIfRunning();
        try {
            backup = Files.createDirectories(ctx.root().resolve("backup"));
            for (String f : List.of("identities.db", "identities.db-wal")) {
                Path src = ctx.server().dataDir().resolve(f);
                if (Files.exists(src)) {
                    Files.copy(src, backup.resolve(f), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        servers.start(ctx.server());
    }

    @When("the server is stopped, the copy is put back and the server is started again")
    public void restoreBackup() {
        servers.stopIfRunning();
        Path dir = ctx.server().dataDir();
        try {
            for (String f : List.of("identities.db", "identities.db-wal", "identities.db-shm")) {
                Files.deleteIfExists(dir.resolve(f));
                if (Files.exists(backup.resolve(f))) {
                    Files.copy(backup.resolve(f), dir.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        servers.start(ctx.server());
    }

    // ------------------------------------------------------------------ STORE-3: crashes under load

    /** Names answered (first byte of the reply received) before a kill, by cycle, in order. */
    private final List<String> acknowledged = new ArrayList<>();
    private final List<String> crashLog = new ArrayList<>();

    /** One registration on a connection of its own, read byte by byte. */
    private final class Registration implements Runnable {
        final String name;
        final String secret;
        final java.net.Socket socket;
        final java.util.concurrent.CountDownLatch go;
        final java.util.function.IntConsumer onFirstByte;
        volatile int firstByte = -1;
        volatile String line = "";

        Registration(String name, java.util.concurrent.CountDownLatch go, java.util.function.IntConsumer onFirstByte)
                throws IOException {
            this.name = name;
            this.secret = secrets.secret(name); // on the step thread: the context is not thread-safe
            this.go = go;
            this.onFirstByte = onFirstByte;
            socket = new java.net.Socket();
            socket.setTcpNoDelay(true);
            socket.connect(ctx.server().address(), (int) ctx.settings().replyTimeout().toMillis());
            socket.setSoTimeout((int) ctx.settings().replyTimeout().toMillis());
        }

        @Override
        public void run() {
            try (socket) {
                go.await();
                socket.getOutputStream().write(("AUTH " + name + " " + secret + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                java.io.InputStream in = socket.getInputStream();
                int b = in.read();
                if (b < 0) {
                    return;
                }
                firstByte = b;
                onFirstByte.accept(b);
                StringBuilder sb = new StringBuilder().append((char) b);
                while ((b = in.read()) >= 0 && b != '\n') {
                    sb.append((char) b);
                }
                line = sb.toString();
            } catch (IOException | InterruptedException e) {
                // The kill ends the connection; what arrived before it is what counts.
            }
        }
    }

    /**
     * STORE-3 under load: in each cycle {@code perCycle} new names register at once, each on a
     * connection of its own, while two online names exchange messages; the server is killed
     * (SIGKILL to its process tree, no lookup in between) from the kit's reading thread as soon
     * as the first byte of the k-th reply arrives, k = 1 in the first cycle and later at other
     * moments (a third, two thirds, the last of the cycle); then it is started again on the same
     * data directory. Every name whose reply began with 'O' was answered {@code OK registered}
     * (a fresh name) and is remembered.
     */
    @When("{int} times, {int} new names register at once while others exchange messages, and the server process is"
            + " killed as soon as the first byte of a reply arrives, then started again")
    public void registrationsUnderCrashes(int cycles, int perCycle) throws Exception {
        int[] moments = {1, Math.max(1, perCycle / 3), Math.max(1, 2 * perCycle / 3), perCycle};
        for (int cycle = 0; cycle < cycles; cycle++) {
            long t0 = System.nanoTime();
            ServerInstance server = servers.running();
            var process = server.current();
            // Two names online exchanging messages: other work in flight at the kill.
            String a = "chat" + cycle + "a";
            String b = "chat" + cycle + "b";
            WireClient ca = clients.connect(a);
            protocol.authenticate(ca, "OK registered");
            acknowledged.add(a);
            WireClient cb = clients.connect(b);
            protocol.authenticate(cb, "OK registered");
            acknowledged.add(b);
            List<ProcessHandle> tree = process.processTree();
            int killAt = moments[cycle % moments.length];
            java.util.concurrent.atomic.AtomicInteger replies = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicLong killedAt = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.function.IntConsumer onFirstByte = x -> {
                if (replies.incrementAndGet() == killAt && killedAt.compareAndSet(0, System.nanoTime())) {
                    tree.forEach(ProcessHandle::destroyForcibly);
                }
            };
            List<Registration> regs = new ArrayList<>();
            for (int i = 0; i < perCycle; i++) {
                regs.add(new Registration("crash" + cycle + "n" + i, go, onFirstByte));
            }
            List<Thread> threads = regs.stream().map(r -> new Thread(r, "store3-" + r.name)).toList();
            threads.forEach(Thread::start);
            Thread chatter = new Thread(() -> {
                try {
                    for (int i = 0; i < 10_000 && process.isAlive(); i++) {
                        ca.sendBytes(("SEND " + b + " in flight " + i + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                } catch (IOException | RuntimeException ended) {
                    // The kill ends it.
                }
            }, "store3-chatter");
            chatter.start();
            go.countDown();
            for (Thread t : threads) {
                t.join(ctx.settings().replyTimeout().multipliedBy(2).toMillis());
            }
            chatter.join(ctx.settings().replyTimeout().toMillis());
            if (killedAt.get() == 0) {
                tree.forEach(ProcessHandle::destroyForcibly);
            }
            process.kill();
            int acks = 0;
            for (Registration r : regs) {
                if (r.firstByte == 'O') {
                    acknowledged.add(r.name);
                    acks++;
                }
            }
            crashLog.add("cycle " + (cycle + 1) + ": killed at the first byte of reply " + killAt + " of " + perCycle
                    + "; replies begun " + acks + " (complete lines: " + regs.stream().filter(r -> r.line.startsWith(
                            "OK registered")).count() + ", " + (System.nanoTime() - t0) / 1_000_000 + " ms)");
            ca.close();
            cb.close();
            servers.start(server);
        }
        ctx.scenario().log("STORE-3 crashes: " + String.join("; ", crashLog));
    }

    @Then("every name whose {string} began to arrive before a kill can authenticate with its secret")
    public void everyAcknowledgedNameSurvives(String reply) {
        long t0 = System.nanoTime();
        List<String> lost = new ArrayList<>();
        for (String name : acknowledged) {
            Received r = protocol.authOnNewConnection(name, secrets.secret(name));
            if (!(r instanceof Received.Line l && l.firstTokens(2).equals("OK authenticated"))) {
                lost.add(name + " (" + r + ")");
            }
        }
        ctx.scenario().log("STORE-3: " + acknowledged.size() + " names checked in " + (System.nanoTime() - t0) / 1_000_000
                + " ms");
        ctx.check(!acknowledged.isEmpty(), "some replies began before the kills", "none did: " + crashLog);
        ctx.check(lost.isEmpty(), "each of the " + acknowledged.size() + " names whose \"" + reply + "\" had begun to"
                + " arrive when the server was killed authenticates after the restart (" + String.join("; ", crashLog)
                + ")", lost.size() + " lost: " + lost);
    }

    // ------------------------------------------------------------------ STORE-12: SQLite's leftovers

    @Given("while the server was stopped by a kill, only identities.db was deleted and SQLite's other files were left")
    public void onlyDatabaseDeletedAfterKill() {
        ServerInstance s = servers.running();
        s.current().kill();
        Path dir = s.dataDir();
        List<String> left;
        try {
            Files.delete(dir.resolve(StoreSnapshot.DATABASE));
            try (Stream<Path> l = Files.list(dir)) {
                left = l.map(p -> p.getFileName().toString()).sorted().toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ctx.scenario().log("left in the data directory after deleting identities.db: " + left);
    }

    // ------------------------------------------------------------------ UPG: a database of an earlier release

    /**
     * Writes, into the (new) data directory, the identities.db an earlier release of this build
     * would have left: the kit first lets the build register a probe name in a scratch
     * directory to learn its schema and row encoding, then creates a fresh SQLite file itself
     * (rollback journal, SQLite's defaults) with that schema and {@code user_version}, and rows
     * for {@code names} whose secrets are hashed with PBKDF2 at other parameters than the
     * build's own (other iteration counts, a 24-byte salt), plus one row deleted again, as an
     * operator may have done (STORE-13), which leaves free space in the file. The build has
     * never opened this file. NOT RUN when the kit cannot read the build's row encoding.
     */
    @Given("the data directory holds identities.db as an earlier release left it, for {word}, {word} and {word},"
            + " hashed with other PBKDF2 parameters")
    public void earlierReleaseDatabase(String n1, String n2, String n3) {
        ServerInstance probe = ctx.instance("probe");
        String probeName = "probe";
        servers.start(probe);
        WireClient c = clients.connect(probeName, probe);
        protocol.authenticate(c, "OK registered");
        c.close();
        servers.stop(probe);
        StoreSnapshot made = servers.readStore(probe);
        StoreSnapshot.Row row = made.rowsNaming(probeName).stream().findFirst().orElseThrow(() -> ctx.failure(
                "a row of identities.db naming " + probeName, "none does:\n" + made));
        Pbkdf2.Layout layout = Pbkdf2.find(row.values(), secrets.secret(probeName)).orElseThrow(() -> new Unimplemented(
                "the kit cannot read how the build's rows keep their PBKDF2 parameters (STORE-5), so it cannot write"
                        + " a database of an earlier release: " + made.rowsMentioning(probeName)));
        String nameColumn = row.columnHolding(probeName).orElseThrow();
        Path dir = ctx.server().dataDir();
        Path db = dir.resolve(StoreSnapshot.DATABASE);
        java.security.SecureRandom random = new java.security.SecureRandom();
        List<String> names = List.of(n1, n2, n3, "gone");
        long[] iterations = {1500, 3000, 1200, 2500};
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createFile(db, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db);
                    java.sql.Statement st = conn.createStatement()) {
                st.execute("PRAGMA journal_mode=DELETE");
                for (String sql : made.createStatements()) {
                    st.execute(sql);
                }
                st.execute("PRAGMA user_version = " + made.userVersion());
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get(i);
                    byte[] salt = new byte[24];
                    random.nextBytes(salt);
                    if (layout.textSalt()) {
                        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
                        for (int k = 0; k < salt.length; k++) {
                            salt[k] = (byte) alphabet.charAt(Math.floorMod(salt[k], alphabet.length()));
                        }
                    }
                    Map<String, Object> values = new java.util.LinkedHashMap<>(row.values());
                    values.put(nameColumn, name);
                    values.putAll(layout.rewrite(row.values(), secrets.secret(name), salt, iterations[i]));
                    String cols = values.keySet().stream().map(k -> "\"" + k + "\"").collect(Collectors.joining(", "));
                    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO \"" + row.table() + "\" (" + cols
                            + ") VALUES (" + String.join(", ", java.util.Collections.nCopies(values.size(), "?")) + ")")) {
                        int k = 1;
                        for (Object v : values.values()) {
                            ps.setObject(k++, v);
                        }
                        ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = conn.prepareStatement("DELETE FROM \"" + row.table() + "\" WHERE \""
                        + nameColumn + "\" = ?")) {
                    ps.setString(1, "gone");
                    ps.executeUpdate();
                }
            }
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("the kit cannot write the earlier release's database " + db + ": " + e, e);
        }
        ctx.scenario().log("earlier release's identities.db: rows of " + List.of(n1, n2, n3) + " at "
                + Arrays.toString(Arrays.copyOf(iterations, 3)) + " iterations with 24-byte salts, in the layout of"
                + " the build's own rows (salt " + layout.saltField() + ", iterations " + layout.iterationsField()
                + ", key " + layout.hashField() + ")");
        servers.recordStoreBefore("restart");
    }
}

package org.litsxg.conformance.steps;

import io.cucumber.java.en.Then;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.litsxg.conformance.support.FileScan;
import org.litsxg.conformance.support.StoreSnapshot;

/**
 * Steps about the files a server writes: none but those the contract names (STORE-9), none
 * holding a secret or a message text, none like a status or pid file, and the modes of the data
 * directory and identities.db.
 */
public final class DataDirFileSteps {

    /**
     * The files of the data directory named by the contract (STORE-9, spec 1.1): the database
     * and SQLite's companion files of any journal mode. Besides them the directory may hold one
     * lock file of any name: a file the build held a lock on while it ran.
     */
    static final Set<String> DATA_DIR_FILES = Set.of("identities.db", "identities.db-wal", "identities.db-shm",
            "identities.db-journal");

    private static final String WHERE = "its working, data, temporary (TMPDIR) and home (HOME) directories, nor in /tmp,"
            + " /var/tmp or the user's home";

    private final ScenarioContext ctx;
    private final Servers servers;
    private final Secrets secrets;
    private final Evidence evidence;

    public DataDirFileSteps(ScenarioContext ctx, Servers servers, Secrets secrets, Evidence evidence) {
        this.ctx = ctx;
        this.servers = servers;
        this.secrets = secrets;
        this.evidence = evidence;
    }

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
                if (FileScan.indexOf(f.content(), n.getBytes(StandardCharsets.UTF_8)) >= 0) {
                    hits.add(f.shown() + " holds \"" + n + "\"");
                }
            }
        }
        return hits;
    }

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
        Set<Long> locked = new HashSet<>();
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
                if (DATA_DIR_FILES.contains(n) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Object ino = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        ? Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS) : null;
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
                .filter(n -> n.toLowerCase(Locale.ROOT)
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
}

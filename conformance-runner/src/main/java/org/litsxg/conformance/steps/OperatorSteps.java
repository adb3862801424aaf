package org.litsxg.conformance.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.litsxg.conformance.support.ServerInstance;
import org.litsxg.conformance.support.StoreSnapshot;

/**
 * Steps in which "the operator" acts on the data directory while the server is stopped:
 * deletes the database or the directory, takes a copy and puts it back, deletes identities.db
 * alone after a kill (STORE-12).
 */
public final class OperatorSteps {

    private final ScenarioContext ctx;
    private final Servers servers;
    private Path backup;

    public OperatorSteps(ScenarioContext ctx, Servers servers) {
        this.ctx = ctx;
        this.servers = servers;
    }

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
}

package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityStoreTest {
    @TempDir
    Path dir;

    @Test
    void registersThenAuthenticatesAndSurvivesReopening() throws Exception {
        try (IdentityStore store = IdentityStore.open(dir, 2_000)) {
            assertEquals(IdentityStore.Outcome.REGISTERED, store.authenticate("alice", "secret123"));
            assertEquals(IdentityStore.Outcome.AUTHENTICATED, store.authenticate("alice", "secret123"));
            assertEquals(IdentityStore.Outcome.FAILED, store.authenticate("alice", "secret124"));
        }
        try (IdentityStore store = IdentityStore.open(dir, 5_000)) {
            assertEquals(Set.of("alice"), store.names());
            assertEquals(IdentityStore.Outcome.AUTHENTICATED, store.authenticate("alice", "secret123"),
                    "a row made with other parameters still verifies");
        }
    }

    @Test
    void storesOnlyASaltedHashWithItsParametersInTheFrozenSchema() throws Exception {
        try (IdentityStore store = IdentityStore.open(dir, 2_000)) {
            store.authenticate("alice", "plaintext-secret");
            store.authenticate("bob", "plaintext-secret");
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("identities.db"));
             Statement s = db.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                assertEquals(1, rs.getInt(1));
            }
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
                assertEquals("wal", rs.getString(1));
            }
            List<byte[]> salts = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT name, algorithm, iterations, salt, hash FROM identities ORDER BY name")) {
                while (rs.next()) {
                    assertEquals("PBKDF2-HMAC-SHA256", rs.getString(2));
                    assertEquals(2_000, rs.getInt(3));
                    assertEquals(16, rs.getBytes(4).length);
                    assertEquals(32, rs.getBytes(5).length);
                    salts.add(rs.getBytes(4));
                }
            }
            assertEquals(2, salts.size());
            assertFalse(java.util.Arrays.equals(salts.get(0), salts.get(1)), "salts are random per row");
        }
        for (Path f : Files.list(dir).toList()) {
            byte[] content = Files.readAllBytes(f);
            assertFalse(new String(content, StandardCharsets.ISO_8859_1).contains("plaintext-secret"), f + " holds the secret");
        }
    }

    @Test
    void databaseIsTheOwnersAlone() throws Exception {
        try (IdentityStore store = IdentityStore.open(dir, 2_000)) {
            store.authenticate("alice", "secret123");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("identities.db"))));
        }
    }

    @Test
    void concurrentRegistrationsOfOneNameHaveExactlyOneWinner() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (IdentityStore store = IdentityStore.open(dir, 2_000)) {
            List<Future<IdentityStore.Outcome>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String secret = i % 2 == 0 ? "evensecret" : "oddsecret1";
                Callable<IdentityStore.Outcome> c = () -> store.authenticate("carol", secret);
                results.add(pool.submit(c));
            }
            int registered = 0;
            for (Future<IdentityStore.Outcome> f : results) {
                if (f.get() == IdentityStore.Outcome.REGISTERED) {
                    registered++;
                }
            }
            assertEquals(1, registered);
            assertNotNull(store.names());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anExistingDatabaseIsOpenedWithoutMigration() throws Exception {
        try (IdentityStore store = IdentityStore.open(dir, 2_000)) {
            store.authenticate("alice", "secret123");
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("identities.db"));
             Statement s = db.createStatement()) {
            s.execute("PRAGMA user_version = 7");
        }
        try (IdentityStore store = IdentityStore.open(dir, 2_000)) {
            assertTrue(store.names().contains("alice"));
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("identities.db"));
             Statement s = db.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            assertEquals(7, rs.getInt(1), "opening never rewrites user_version");
        }
    }
}

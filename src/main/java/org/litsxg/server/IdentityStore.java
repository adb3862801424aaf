package org.litsxg.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;

/**
 * The identity database, {@code <data-dir>/identities.db} (SQLite, WAL, synchronous=FULL).
 *
 * <p>Only names and salted PBKDF2 hashes are stored; never a secret in clear, never message
 * content. The schema is created once and never migrated: {@link #SCHEMA_VERSION} is written to
 * {@code PRAGMA user_version} at creation, and an existing file is opened as it is.
 *
 * <p>Thread-safe: one JDBC connection, used under this object's lock only for the short SQL
 * statements; key derivation runs outside the lock. Every method blocks (disk I/O, and for
 * {@link #authenticate} one PBKDF2 derivation), so none is called on the selector thread.
 */
final class IdentityStore implements AutoCloseable {
    static final String FILE_NAME = "identities.db";
    static final int SCHEMA_VERSION = 1;
    static final int BUSY_TIMEOUT_MILLIS = 10_000;

    /** What an AUTH did. */
    enum Outcome { REGISTERED, AUTHENTICATED, FAILED }

    private final Connection db;
    private final int iterations;

    private IdentityStore(Connection db, int iterations) {
        this.db = db;
        this.iterations = iterations;
    }

    /**
     * Opens (creating if missing, mode 0600) the database in {@code dataDir}. Blocks for the
     * file I/O. Throws {@link IOException} when the file cannot be created or is not a usable
     * SQLite database.
     */
    static IdentityStore open(Path dataDir, int iterations) throws IOException {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        try {
            // The driver's connection class directly, not through DriverManager: the same
            // connection, without the driver registry's service scan and method-handle set-up
            // (about 20 ms of every start; BENCHMARKS.md, (e)).
            String path = file.toAbsolutePath().toString();
            Connection db = new org.sqlite.jdbc4.JDBC4Connection("jdbc:sqlite:" + path, path, new Properties());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MILLIS);
                s.execute("PRAGMA journal_mode = WAL");
                s.execute("PRAGMA synchronous = FULL");
                boolean exists;
                try (ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'identities'")) {
                    exists = rs.next() && rs.getInt(1) == 1;
                }
                if (!exists) {
                    db.setAutoCommit(false);
                    s.execute("CREATE TABLE identities ("
                            + "name TEXT PRIMARY KEY, "
                            + "algorithm TEXT NOT NULL, "
                            + "iterations INTEGER NOT NULL, "
                            + "salt BLOB NOT NULL, "
                            + "hash BLOB NOT NULL, "
                            + "created_at INTEGER NOT NULL)");
                    s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
                    db.commit();
                    db.setAutoCommit(true);
                }
            }
            restrict(dataDir.resolve(FILE_NAME + "-wal"));
            restrict(dataDir.resolve(FILE_NAME + "-shm"));
            return new IdentityStore(db, iterations);
        } catch (SQLException e) {
            throw new IOException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    private static void restrict(Path companion) throws IOException {
        if (Files.exists(companion)) {
            Files.setPosixFilePermissions(companion, PosixFilePermissions.fromString("rw-------"));
        }
    }

    /** Every registered name. Blocks for one query. */
    synchronized Set<String> names() throws SQLException {
        Set<String> names = new HashSet<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT name FROM identities")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /**
     * Authenticates {@code name} with {@code secret}, registering the name if it has no identity
     * yet. A registration is committed (synchronous=FULL) before this returns REGISTERED. When two
     * callers register one name at once, exactly one registers and the other is verified against
     * the winner's row. Blocks for one or two key derivations plus the SQL.
     */
    Outcome authenticate(String name, String secret) throws SQLException {
        PasswordHash.Hashed row = find(name);
        if (row == null) {
            PasswordHash.Hashed created = PasswordHash.create(secret, iterations);
            if (insert(name, created)) {
                return Outcome.REGISTERED;
            }
            row = find(name);
            if (row == null) {
                throw new SQLException("identity " + name + " neither inserted nor found");
            }
        }
        return PasswordHash.verify(secret, row) ? Outcome.AUTHENTICATED : Outcome.FAILED;
    }

    private synchronized PasswordHash.Hashed find(String name) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT algorithm, iterations, salt, hash FROM identities WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new PasswordHash.Hashed(rs.getString(1), rs.getInt(2), rs.getBytes(3), rs.getBytes(4));
            }
        }
    }

    private synchronized boolean insert(String name, PasswordHash.Hashed h) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT OR IGNORE INTO identities "
                + "(name, algorithm, iterations, salt, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, name);
            ps.setString(2, h.algorithm());
            ps.setInt(3, h.iterations());
            ps.setBytes(4, h.salt());
            ps.setBytes(5, h.hash());
            ps.setLong(6, System.currentTimeMillis() / 1000);
            return ps.executeUpdate() == 1;
        }
    }

    @Override
    public synchronized void close() throws SQLException {
        db.close();
    }
}

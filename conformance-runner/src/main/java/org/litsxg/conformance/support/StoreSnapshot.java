package org.litsxg.conformance.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What an identity database holds, read from outside the server as a file: its schema
 * ({@code sqlite_master}), its {@code user_version}, and every row of every table with blobs
 * in hex. Two snapshots are equal exactly when schema, version and rows are byte-identical.
 *
 * <p>The kit never opens the live file: it copies {@code identities.db} (and a
 * {@code -wal} file if one was left behind) into a scratch directory and reads the copy, so the
 * data directory is left exactly as the build left it.
 */
public record StoreSnapshot(List<String> schema, long userVersion, List<String> rows, List<Row> data, byte[] image) {

    /**
     * The ranges of the database header (page 1) that a build may change without changing the
     * database (spec UPG-2, version 1.1): bytes 18-19, the file format versions, which are 1 in
     * a rollback journal mode and 2 in WAL (a build in another journal mode than the file was
     * written in switches them; any journal mode is conformant, STORE-9); bytes 24-27, the file
     * change counter, and 92-99, the version-valid-for number and the SQLite version that last
     * wrote the file, which SQLite updates on any write transaction, including the switch of
     * journal mode. Every other byte of every page (the rows, the schema and its cookie,
     * {@code user_version}, the page size, the page count, the free-list) must stay as it was.
     */
    public static final int[][] MAY_CHANGE = {{18, 20}, {24, 28}, {92, 100}};

    /** One row with its raw values: {@code byte[]} for blobs, {@code String}, {@code Long}, {@code Double}. */
    public record Row(String table, java.util.Map<String, Object> values) {

        /** The column holding exactly {@code text}, if any. */
        public java.util.Optional<String> columnHolding(String text) {
            return values.entrySet().stream().filter(e -> text.equals(e.getValue())).map(java.util.Map.Entry::getKey)
                    .findFirst();
        }
    }

    /** Whether schema, user_version and every row are byte-identical. */
    public boolean sameAs(StoreSnapshot other) {
        return schema.equals(other.schema) && userVersion == other.userVersion && rows.equals(other.rows);
    }

    /**
     * Where this database's content differs from {@code other}'s, byte by byte (the WAL folded
     * in, the header ranges of {@link #MAY_CHANGE} left out); empty when they are identical.
     * At most a few differences are named.
     */
    public List<String> contentDifferences(StoreSnapshot other) {
        List<String> out = new ArrayList<>();
        int pageSize = pageSize(image);
        if (image.length != other.image.length) {
            out.add("the file holds " + other.image.length / Math.max(1, pageSize(other.image)) + " pages of "
                    + pageSize(other.image) + " bytes, was " + image.length / Math.max(1, pageSize) + " pages of " + pageSize);
        }
        int n = Math.min(image.length, other.image.length);
        int firstPage = -1;
        int pages = 0;
        for (int i = 0; i < n; i++) {
            if (image[i] == other.image[i] || mayChange(i)) {
                continue;
            }
            int page = pageSize > 0 ? i / pageSize + 1 : 1;
            if (page != firstPage) {
                pages++;
                if (out.size() < 5) {
                    out.add("page " + page + " differs from byte " + (i - (page - 1) * Math.max(pageSize, 1))
                            + (page == 1 && i < 100 ? " of the header" : ""));
                }
                firstPage = page;
            }
        }
        if (pages > 0) {
            out.add(pages + " page(s) differ in all");
        }
        return out;
    }

    private static boolean mayChange(int offset) {
        for (int[] r : MAY_CHANGE) {
            if (offset >= r[0] && offset < r[1]) {
                return true;
            }
        }
        return false;
    }

    private static int pageSize(byte[] file) {
        if (file.length < 100) {
            return 0;
        }
        int v = ((file[16] & 0xff) << 8) | (file[17] & 0xff);
        return v == 1 ? 65536 : v;
    }

    /**
     * The statements that create this schema again (tables first, then indexes, triggers and
     * views), without SQLite's own objects.
     */
    public List<String> createStatements() {
        List<String> tables = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String entry : schema) {
            // "type name on tbl_name: sql"
            int colon = entry.indexOf(": ");
            String sql = colon < 0 ? "null" : entry.substring(colon + 2);
            if (sql.equals("null") || entry.contains(" sqlite_")) {
                continue;
            }
            (entry.startsWith("table ") ? tables : rest).add(sql);
        }
        tables.addAll(rest);
        return tables;
    }

    /** The rows (of any table) with a column holding exactly {@code name}. */
    public List<Row> rowsNaming(String name) {
        return data.stream().filter(r -> r.columnHolding(name).isPresent()).toList();
    }

    public static final String DATABASE = "identities.db";

    /** Reads the database in {@code dataDir}, via a copy in {@code scratch}. */
    public static StoreSnapshot read(Path dataDir, Path scratch) throws IOException, SQLException {
        Path db = dataDir.resolve(DATABASE);
        if (!Files.isRegularFile(db)) {
            throw new IOException("no " + DATABASE + " in " + dataDir);
        }
        Path dir = Files.createTempDirectory(scratch, "snapshot-");
        Path copy = dir.resolve(DATABASE);
        Files.copy(db, copy, StandardCopyOption.REPLACE_EXISTING);
        // The companions that carry committed content (-wal) or undo an interrupted write
        // (a hot -journal of a rollback journal mode); the -shm is rebuilt from the -wal.
        for (String companion : List.of("-wal", "-journal")) {
            Path f = dataDir.resolve(DATABASE + companion);
            if (Files.isRegularFile(f)) {
                Files.copy(f, dir.resolve(DATABASE + companion), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        StoreSnapshot read;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy);
                Statement st = c.createStatement()) {
            List<String> schema = new ArrayList<>();
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(
                    "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")) {
                while (rs.next()) {
                    schema.add(rs.getString(1) + " " + rs.getString(2) + " on " + rs.getString(3)
                            + ": " + rs.getString(4));
                    if ("table".equals(rs.getString(1)) && !rs.getString(2).startsWith("sqlite_")) {
                        tables.add(rs.getString(2));
                    }
                }
            }
            long version;
            try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getLong(1) : -1;
            }
            List<String> rows = new ArrayList<>();
            List<Row> data = new ArrayList<>();
            for (String table : tables) {
                String quoted = "\"" + table.replace("\"", "\"\"") + "\"";
                try (ResultSet rs = st.executeQuery("SELECT * FROM " + quoted + " ORDER BY 1")) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder(table).append(':');
                        java.util.Map<String, Object> values = new java.util.LinkedHashMap<>();
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            Object v = rs.getObject(i);
                            if (v instanceof Integer n) {
                                v = n.longValue();
                            }
                            values.put(md.getColumnName(i), v);
                            row.append(' ').append(md.getColumnName(i)).append('=').append(render(v));
                        }
                        rows.add(row.toString());
                        data.add(new Row(table, java.util.Collections.unmodifiableMap(values)));
                    }
                }
            }
            // The content as one file: the WAL's committed frames written into the copy.
            try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                rs.next();
            }
            read = new StoreSnapshot(List.copyOf(schema), version, List.copyOf(rows), List.copyOf(data), null);
        }
        return new StoreSnapshot(read.schema, read.userVersion, read.rows, read.data, Files.readAllBytes(copy));
    }

    private static String render(Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof byte[] b) {
            return "x'" + HexFormat.of().formatHex(b) + "'";
        }
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        return v.toString();
    }

    /** The values (text or hex) of rows mentioning {@code name}, for a report. */
    public List<String> rowsMentioning(String name) {
        return rows.stream().filter(r -> r.contains("'" + name + "'")).toList();
    }

    @Override
    public String toString() {
        return "user_version=" + userVersion + "\nschema:\n  " + String.join("\n  ", schema)
                + "\nrows:\n  " + String.join("\n  ", rows);
    }
}

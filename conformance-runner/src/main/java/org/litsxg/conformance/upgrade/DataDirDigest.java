package org.litsxg.conformance.upgrade;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.litsxg.conformance.support.StoreSnapshot;

/**
 * The upgrade check's view of a data directory: every file with its sha256, and the identity
 * store read from outside and shown as digests (a broken build may hold a secret in a row, and a
 * report never shows one).
 */
final class DataDirDigest {

    private DataDirDigest() {
    }

    /** The identity store under {@code dataDir}, read from a copy; null when there is none. */
    static StoreSnapshot store(Path dataDir) throws IOException {
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
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
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

    /** {@link #files} as report lines: {@code path sha256=digest}. */
    static List<String> listing(Map<String, String> files) {
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

package org.litsxg.server;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Keeps sqlite-jdbc's native library in a per-user cache instead of letting the driver extract it
 * anew on every start.
 *
 * <p>Left alone, the driver copies its 1 MiB library out of the jar into {@code java.io.tmpdir}
 * under a random name at each start, reads it back to compare, and deletes it at a clean exit.
 * That costs tens of milliseconds of the time to listening, and a process that is killed
 * (SIGKILL, a crash) leaves its copy and lock file behind for good: the driver's own clean-up
 * skips files whose lock file remains, and lists every one of them again on each later start.
 *
 * <p>Here the library is written once to
 * {@code ${XDG_CACHE_HOME:-~/.cache}/litsxg/sqlite/<crc>-<name>}, named by the CRC-32 that the jar
 * records for it (so another driver build never reuses a stale copy), and the driver is pointed
 * at it through its documented {@code org.sqlite.lib.path} and {@code org.sqlite.lib.name}
 * properties; its clean-up of stale copies then lists the cache directory
 * ({@code org.sqlite.tmpdir}) rather than a shared {@code /tmp} full of other processes' leftovers.
 * Which library that is for this platform the driver's probe tells, and it runs {@code uname} in a
 * child process to tell it; an index file in the same directory, named by the jar and the
 * platform, remembers the answer so later starts skip the probe.
 * Any problem (no home directory, read-only file system, not running from a jar, the
 * properties already set by the operator) leaves the driver's default behaviour in place. Blocks
 * for file I/O; called once, before the identity store opens.
 */
final class SqliteNativeCache {
    private static final String LIB_PATH = "org.sqlite.lib.path";
    private static final String LIB_NAME = "org.sqlite.lib.name";
    private static final String TMP_DIR = "org.sqlite.tmpdir";

    private SqliteNativeCache() {
    }

    static void use(Logger log) {
        if (System.getProperty(LIB_PATH) != null || System.getProperty(LIB_NAME) != null) {
            return;
        }
        try {
            Path dir = cacheHome().resolve("litsxg").resolve("sqlite");
            Path index = dir.resolve("index-" + installationKey());
            String cachedName = remembered(dir, index);
            if (cachedName == null) {
                cachedName = extract(dir);
                if (cachedName == null) {
                    return;
                }
                remember(dir, index, cachedName);
            }
            System.setProperty(LIB_PATH, dir.toString());
            System.setProperty(LIB_NAME, cachedName);
            if (System.getProperty(TMP_DIR) == null) {
                // The driver's clean-up lists this directory on every start, looking for copies
                // of its own ("sqlite-<version>-..."); the cache holds none, and the cached
                // library's name does not match them.
                System.setProperty(TMP_DIR, dir.toString());
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            log.log(Level.DEBUG, "sqlite native library not cached, the driver extracts it: " + e);
        }
    }

    /**
     * What decides which library the driver picks: the jar it comes from (path, size, time) and
     * the platform. Finding the library anew takes the driver's platform probe, which runs
     * {@code uname} in a child process; the index file named by this key remembers its answer.
     */
    private static String installationKey() throws IOException {
        String jar;
        try {
            jar = Path.of(org.sqlite.JDBC.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IOException("driver location unknown", e);
        }
        Path jarPath = Path.of(jar);
        String identity = String.join("\n", jar, Long.toString(Files.size(jarPath)),
                Long.toString(Files.getLastModifiedTime(jarPath).toMillis()), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.home"));
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(identity.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    /** The cached library's name the index remembers, if that library is still there. */
    private static String remembered(Path dir, Path index) {
        try {
            String name = Files.readString(index).strip();
            if (!name.isEmpty() && name.indexOf('/') < 0 && Files.size(dir.resolve(name)) > 0) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // no index yet, or its library is gone: find it again
        }
        return null;
    }

    private static void remember(Path dir, Path index, String cachedName) throws IOException {
        Path tmp = Files.createTempFile(dir, "index-", ".tmp");
        try {
            Files.writeString(tmp, cachedName + "\n");
            Files.move(tmp, index, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Copies the driver's library for this platform into {@code dir} once; its cached name, or null. */
    private static String extract(Path dir) throws IOException {
        String folder = org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS();
        String name = System.mapLibraryName("sqlitejdbc");
        if (name.endsWith(".dylib")) {
            name = "libsqlitejdbc.dylib";
        }
        URL url = org.sqlite.util.OSInfo.class.getResource("/org/sqlite/native/" + folder + "/" + name);
        if (url == null || !"jar".equals(url.getProtocol())) {
            return null;
        }
        JarURLConnection jar = (JarURLConnection) url.openConnection();
        jar.setUseCaches(false);
        long crc = jar.getJarEntry().getCrc();
        long size = jar.getJarEntry().getSize();
        if (crc < 0 || size < 0) {
            return null;
        }
        String cachedName = String.format("%08x-%s", crc, name);
        Path lib = dir.resolve(cachedName);
        if (!Files.isRegularFile(lib) || Files.size(lib) != size) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path tmp = Files.createTempFile(dir, "extract-", ".tmp");
            try (InputStream in = jar.getInputStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return cachedName;
    }

    private static Path cacheHome() throws IOException {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && xdg.startsWith("/")) {
            return Path.of(xdg);
        }
        String home = System.getProperty("user.home");
        if (home == null || home.isEmpty() || home.equals("?")) {
            throw new IOException("no home directory");
        }
        return Path.of(home, ".cache");
    }
}

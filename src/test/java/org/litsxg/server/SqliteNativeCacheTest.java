package org.litsxg.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver's native library is copied once and found again through the index. */
class SqliteNativeCacheTest {
    private static final List<String> KEYS = List.of("user.home", "org.sqlite.lib.path", "org.sqlite.lib.name",
            "org.sqlite.tmpdir");
    private final Properties saved = new Properties();

    @TempDir
    Path home;

    @BeforeEach
    void pointHomeAtTemp() {
        KEYS.forEach(k -> {
            if (System.getProperty(k) != null) {
                saved.setProperty(k, System.getProperty(k));
            }
        });
        System.setProperty("user.home", home.toString());
        clearDriverProperties();
    }

    @AfterEach
    void restore() {
        KEYS.forEach(System::clearProperty);
        saved.forEach((k, v) -> System.setProperty((String) k, (String) v));
    }

    private static void clearDriverProperties() {
        KEYS.stream().filter(k -> !k.equals("user.home")).forEach(System::clearProperty);
    }

    private Path cacheDir() {
        return home.resolve(".cache/litsxg/sqlite");
    }

    @Test
    void copiesTheLibraryOnceAndRemembersItsName() throws Exception {
        assumeTrue(System.getenv("XDG_CACHE_HOME") == null, "XDG_CACHE_HOME puts the cache outside user.home");
        SqliteNativeCache.use(System.getLogger("test"));
        String name = System.getProperty("org.sqlite.lib.name");
        assertNotNull(name, "the driver is pointed at a cached library");
        assertEquals(cacheDir().toString(), System.getProperty("org.sqlite.lib.path"));
        Path lib = cacheDir().resolve(name);
        assertTrue(Files.size(lib) > 100_000, "the library is copied whole");
        Path index;
        try (Stream<Path> files = Files.list(cacheDir())) {
            index = files.filter(f -> f.getFileName().toString().startsWith("index-")
                    && !f.toString().endsWith(".tmp")).findFirst().orElseThrow();
        }
        assertEquals(name, Files.readString(index).strip());
        long copied = Files.getLastModifiedTime(lib).toMillis();

        clearDriverProperties();
        SqliteNativeCache.use(System.getLogger("test"));
        assertEquals(name, System.getProperty("org.sqlite.lib.name"), "the second start finds it by the index");
        assertEquals(copied, Files.getLastModifiedTime(lib).toMillis(), "and does not copy it again");

        Files.delete(lib);
        clearDriverProperties();
        SqliteNativeCache.use(System.getLogger("test"));
        assertEquals(name, System.getProperty("org.sqlite.lib.name"));
        assertTrue(Files.size(lib) > 100_000, "a library gone from the cache is copied again");
        try (Stream<Path> files = Files.list(cacheDir())) {
            assertEquals(0, files.filter(f -> f.toString().endsWith(".tmp")).count(), "no temporary file left");
        }
    }
}

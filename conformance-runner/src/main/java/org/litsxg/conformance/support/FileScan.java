package org.litsxg.conformance.support;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The files a build may have written during a scenario, wherever its user can write, for the
 * scans of STORE-4, STORE-8, SEC-4, LOG-2, LOG-4, OPS-3 and OPS-6.
 *
 * <ul>
 *   <li>The instance's own directories, private to the scenario: the working directory (with
 *       the data directory in it), {@code TMPDIR} and {@code HOME} as the kit sets them. Every
 *       regular file there counts.</li>
 *   <li>Shared directories a build may write to whatever its environment says (a JVM takes
 *       {@code java.io.tmpdir} = {@code /tmp} and {@code user.home} from the password
 *       database): {@code /tmp}, the kit's own temporary directory, and the user's home from
 *       the password database (to depth {@value #HOME_DEPTH}: {@code ~/x.log},
 *       {@code ~/.cache/litsxg/x.log}, {@code ~/.local/state/litsxg/x.log}). Other programs,
 *       and other scenarios running at the same time, write there too, so only files modified
 *       since the scenario began are looked at, the kit's own scenario directories
 *       ({@code litsxg-kit-*}) are skipped, and a file counts as the build's when a process of
 *       the build held it open at a stop or a scan, or when it holds one of the scenario's
 *       markers (its secrets, unique per scenario).</li>
 * </ul>
 */
public final class FileScan {

    /** How deep below the user's home the scan looks. */
    static final int HOME_DEPTH = 4;
    private static final int TMP_DEPTH = 8;
    private static final long MAX_READ = 64L << 20;

    /** One file the build wrote, with its bytes (read once). */
    public record Found(Path file, String shown, boolean shared, byte[] content) {
    }

    private FileScan() {
    }

    /**
     * The files of {@code instance} and, from the shared directories, those attributed to it.
     *
     * @param since when the scenario began (files older than this, less a second of clock
     *     granularity, are not looked at in shared directories)
     * @param markers byte strings unique to the scenario; a shared file holding one is the build's
     */
    public static List<Found> scan(ServerInstance instance, Instant since, List<byte[]> markers) {
        List<Found> out = new ArrayList<>();
        Path root = instance.root();
        for (Path f : walk(root, Integer.MAX_VALUE, null, Set.of())) {
            byte[] content = read(f);
            if (content != null) {
                out.add(new Found(f, root.relativize(f).toString(), false, content));
            }
        }
        Set<Path> open = new HashSet<>();
        for (ServerProcess p : instance.processes()) {
            open.addAll(p.openFiles());
        }
        Instant after = since.minusSeconds(1);
        Set<Path> seen = new HashSet<>();
        for (Path dir : sharedDirectories()) {
            int depth = dir.equals(userHome()) ? HOME_DEPTH : TMP_DEPTH;
            for (Path f : walk(dir, depth, after, Set.of(root))) {
                if (!seen.add(f)) {
                    continue;
                }
                byte[] content = read(f);
                if (content == null) {
                    continue;
                }
                boolean ours = open.contains(f) || markers.stream().anyMatch(m -> indexOf(content, m) >= 0);
                if (ours) {
                    out.add(new Found(f, f.toString(), true, content));
                }
            }
        }
        return out;
    }

    /** {@code /tmp}, the kit's {@code java.io.tmpdir}, and the user's home, those that exist. */
    static List<Path> sharedDirectories() {
        Map<Path, Boolean> dirs = new LinkedHashMap<>();
        for (String d : new String[] {"/tmp", System.getProperty("java.io.tmpdir"), "/var/tmp"}) {
            if (d != null) {
                dirs.put(Path.of(d).toAbsolutePath().normalize(), true);
            }
        }
        Path home = userHome();
        if (home != null) {
            dirs.put(home, true);
        }
        return dirs.keySet().stream().filter(Files::isDirectory).toList();
    }

    private static Path userHome() {
        String h = System.getProperty("user.home");
        return h == null || h.isBlank() || h.equals("/") ? null : Path.of(h).toAbsolutePath().normalize();
    }

    /** Regular files under {@code dir} (no symbolic link followed), modified after {@code after} if set. */
    private static List<Path> walk(Path dir, int depth, Instant after, Set<Path> skip) {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try {
            Files.walkFileTree(dir, EnumSet.noneOf(FileVisitOption.class), depth, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    String name = d.getFileName() == null ? "" : d.getFileName().toString();
                    if (!d.equals(dir) && (skip.contains(d) || name.startsWith("litsxg-kit-"))) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && (after == null || attrs.lastModifiedTime().toInstant().isAfter(after))) {
                        files.add(f);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    return FileVisitResult.CONTINUE; // Gone, or not ours to read.
                }
            });
        } catch (IOException e) {
            // Best effort on a shared directory; the private ones are the kit's own.
        }
        return files;
    }

    private static byte[] read(Path f) {
        try {
            if (Files.size(f) > MAX_READ) {
                return new byte[0];
            }
            return Files.readAllBytes(f);
        } catch (IOException | SecurityException e) {
            return null; // Gone in the meantime (a -shm file, a temp file), or unreadable.
        }
    }

    /** The first index of {@code needle} in {@code hay}, or -1. */
    public static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}

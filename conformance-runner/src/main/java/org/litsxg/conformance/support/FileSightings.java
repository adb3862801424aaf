package org.litsxg.conformance.support;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files a build's processes held open, and the files locked on the system, each time the
 * kit looked while the build ran (before each stop and kill, and when asked): a file seen once
 * stays seen. Thread-safe.
 */
final class FileSightings {

    /** Regular files a process of the build held open when the kit looked. */
    private final Set<Path> openFiles = ConcurrentHashMap.newKeySet();
    /** Inode numbers of files locked ({@code /proc/locks}) while the build ran, seen when the kit looked. */
    private final Set<Long> lockedInodes = ConcurrentHashMap.newKeySet();
    /** Whether {@code /proc/locks} could be read while the build ran (not on a system without /proc). */
    private volatile boolean locksReadable;

    /** Looks now at {@code tree}, the build's running processes. */
    void look(List<ProcessHandle> tree) {
        // No /proc/locks: no lock can be named, and a data directory's extra file is then no lock.
        ProcFs.lockedInodes().ifPresent(l -> {
            lockedInodes.addAll(l);
            locksReadable = true;
        });
        for (ProcessHandle h : tree) {
            openFiles.addAll(ProcFs.openFiles(h.pid()));
        }
    }

    Set<Path> openFiles() {
        return Set.copyOf(openFiles);
    }

    Set<Long> lockedInodes() {
        return Set.copyOf(lockedInodes);
    }

    boolean locksReadable() {
        return locksReadable;
    }
}

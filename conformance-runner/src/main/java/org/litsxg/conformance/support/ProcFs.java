package org.litsxg.conformance.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What Linux's {@code /proc} tells of other processes: the sockets listening on a port, the
 * descriptors a process holds, its environment, the files with a lock on them. Everything
 * here is empty or false where {@code /proc} cannot be read (another system, a process that
 * has exited meanwhile).
 */
final class ProcFs {

    private ProcFs() {
    }

    /** Inodes of the sockets in state LISTEN on {@code port}, IPv4 and IPv6 (Linux /proc). */
    static Set<String> listeningInodes(int port) {
        Set<String> out = new HashSet<>();
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
                        out.add(f[9]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // No such table here (no IPv6, not Linux).
            }
        }
        return out;
    }

    /** Whether process {@code pid} holds a socket with one of {@code inodes}. */
    static boolean holdsAny(long pid, Set<String> inodes) {
        if (inodes.isEmpty()) {
            return false;
        }
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    return target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1));
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether the environment of process {@code pid} holds every {@code NAME=value} of {@code marks} (none: false). */
    static boolean carries(long pid, List<String> marks) {
        try {
            List<String> env = List.of(new String(Files.readAllBytes(
                    Path.of("/proc", Long.toString(pid), "environ")), StandardCharsets.UTF_8).split("\0"));
            return !marks.isEmpty() && env.containsAll(marks);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The inode numbers of every file with a lock on it now ({@code /proc/locks}: flock, POSIX
     * and open-file-description locks), or empty when {@code /proc/locks} cannot be read.
     */
    static Optional<Set<Long>> lockedInodes() {
        try {
            Set<Long> out = new HashSet<>();
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                // "1: FLOCK  ADVISORY  WRITE 20395 fe:00:2154501 0 EOF" (with "->" for a waiter)
                String[] t = line.replace("->", "").trim().split("\\s+");
                for (String field : t) {
                    String[] dev = field.split(":");
                    if (dev.length == 3 && dev[2].matches("[0-9]+")) {
                        out.add(Long.parseLong(dev[2]));
                    }
                }
            }
            return Optional.of(out);
        } catch (IOException | RuntimeException noProc) {
            return Optional.empty();
        }
    }

    /** The regular files (absolute paths, not under /dev or /proc, not deleted) process {@code pid} holds open. */
    static Set<Path> openFiles(long pid) {
        Set<Path> out = new HashSet<>();
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(fds)) {
            for (Path fd : ds) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.isAbsolute() && !target.startsWith("/dev") && !target.startsWith("/proc")
                            && !target.toString().endsWith(" (deleted)")) {
                        out.add(target);
                    }
                } catch (IOException | UnsupportedOperationException gone) {
                    // Closed in the meantime.
                }
            }
        } catch (IOException | SecurityException gone) {
            // Exited in the meantime, or no /proc.
        }
        return out;
    }
}

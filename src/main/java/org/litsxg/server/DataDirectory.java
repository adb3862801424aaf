package org.litsxg.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The server's data directory and its exclusive instance lock ({@code litsxg.lock}, an OS file
 * lock, released when the process ends however it ends). A directory the server creates is
 * mode 0700. Opening blocks only for file-system calls.
 */
final class DataDirectory implements AutoCloseable {
    static final String LOCK_FILE = "litsxg.lock";

    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDirectory(Path path, FileChannel lockChannel, FileLock lock) {
        this.path = path;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Thrown when another process holds the lock. */
    static final class LockedException extends IOException {
        private static final long serialVersionUID = 1L;

        LockedException(Path dir) {
            super("data directory " + dir + " is in use by another instance");
        }
    }

    /** Creates the directory if missing (0700) and takes its lock, or throws. */
    static DataDirectory open(Path dir) throws IOException {
        Path path = dir.toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            Files.createDirectories(path);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
        }
        if (!Files.isDirectory(path)) {
            throw new IOException("data directory " + path + " is not a directory");
        }
        Path lockFile = path.resolve(LOCK_FILE);
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            Files.setPosixFilePermissions(lockFile, PosixFilePermissions.fromString("rw-------"));
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new LockedException(path);
            }
            return new DataDirectory(path, channel, lock);
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw new LockedException(path);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            lockChannel.close();
        }
    }
}

package dev.charlstm.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a training run's output directory for the whole run, so that a second {@code train} into
 * the same {@code --out} is refused instead of silently replacing the first one's model and
 * checkpoints under it.
 *
 * <p>The lock is an OS file lock ({@link FileChannel#tryLock()}) on {@code DIR/.lock}, which the
 * operating system drops when the process dies however it dies, so a killed run never blocks the
 * next one. The file also holds the owner's pid while the lock is held and is emptied on release:
 * a pid found in a file nobody holds is a run that was killed, and the next run says so.
 */
final class OutputLock implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutputLock.class);
    static final String FILE_NAME = ".lock";

    private final Path file;
    private final FileChannel channel;
    private FileLock lock;

    private OutputLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir} (created if needed) for this process.
     *
     * @throws IllegalArgumentException when another run holds it, naming that run's pid
     */
    static OutputLock acquire(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            lock = null; // held by another run in this same JVM
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        String previous = readOwner(channel);
        if (lock == null) {
            channel.close();
            throw new IllegalArgumentException(dir + " is in use by another train run"
                    + (previous.isEmpty() ? "" : " (pid " + previous + ")")
                    + "; wait for it to finish or train into another --out");
        }
        if (!previous.isEmpty()) {
            log.warn("Taking over {}: the train run that held it (pid {}) {}; its last checkpoint is kept",
                    file, previous, isAlive(previous) ? "no longer holds it" : "is gone");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(true);
        return new OutputLock(file, channel, lock);
    }

    private static String readOwner(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        channel.read(buffer, 0);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
    }

    private static boolean isAlive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Empties the file (a clean exit, not a killed run) and releases the lock; safe to call twice. */
    @Override
    public synchronized void close() throws IOException {
        if (lock == null) {
            return;
        }
        try {
            channel.truncate(0);
            lock.release();
        } finally {
            lock = null;
            channel.close();
        }
    }

    Path file() {
        return file;
    }
}

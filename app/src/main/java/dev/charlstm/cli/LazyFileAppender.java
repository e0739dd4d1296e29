package dev.charlstm.cli;

import ch.qos.logback.core.OutputStreamAppender;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Logback's file appender, except that the file and its directory are created by the first event
 * written, not when logging starts. Logback's own FileAppender opens the file at start-up, so
 * every command, {@code --help} included, left a {@code logs/} directory in whatever directory it
 * ran from.
 *
 * @param <E> the event type (Logback's {@code ILoggingEvent})
 */
public final class LazyFileAppender<E> extends OutputStreamAppender<E> {

    private String file;

    /** The log file, relative to the current directory unless absolute. */
    public void setFile(String file) {
        this.file = file;
    }

    public String getFile() {
        return file;
    }

    @Override
    public void start() {
        if (file == null || file.isBlank()) {
            addError("No file set for appender " + getName());
            return;
        }
        setOutputStream(new OpenOnFirstWrite(Path.of(file)));
        super.start();
    }

    /** Appends to a file it opens, creating the parent directories, only when bytes arrive. */
    private static final class OpenOnFirstWrite extends OutputStream {
        private final Path path;
        private OutputStream out;

        OpenOnFirstWrite(Path path) {
            this.path = path;
        }

        private OutputStream out() throws IOException {
            if (out == null) {
                Path parent = path.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            return out;
        }

        @Override
        public void write(int b) throws IOException {
            out().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > 0) {
                out().write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            if (out != null) {
                out.flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (out != null) {
                out.close();
            }
        }
    }
}

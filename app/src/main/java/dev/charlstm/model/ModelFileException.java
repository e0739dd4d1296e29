package dev.charlstm.model;

import java.nio.file.Path;

/** A model file that cannot be read or written; the message names the file and what is wrong. */
public final class ModelFileException extends Exception {

    public ModelFileException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public ModelFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}

package dev.charlstm.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** How {@code --model PATH} is read by the commands that load one model. */
final class ModelPaths {

    static final String MODEL_FILE = "model.zip";

    private ModelPaths() {}

    /**
     * The model file {@code path} names: the path itself, or {@code path/model.zip} when it is a
     * folder, as {@code train --resume} and {@code serve --models} take folders too.
     */
    static Path modelFile(Path path) {
        if (Files.isDirectory(path)) {
            Path inside = path.resolve(MODEL_FILE);
            if (!Files.isRegularFile(inside)) {
                throw new IllegalArgumentException("--model: " + path + " is a folder without a " + MODEL_FILE);
            }
            return inside;
        }
        return path;
    }
}

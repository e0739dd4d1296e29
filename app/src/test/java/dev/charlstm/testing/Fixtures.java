package dev.charlstm.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shared test inputs. */
public final class Fixtures {

    /** The project's root: tests run in the app module's folder, one level down. */
    public static final Path PROJECT = Path.of("..");

    /** The real UW COVID-19 FAQ text, shared read-only beside the project. */
    public static final Path FAQ = PROJECT.resolve(Path.of("..", "shared", "corpora", "covid19-faq.txt"));

    private Fixtures() {}

    /** The first {@code chars} characters of the real FAQ, written to {@code dir}: a corpus for tiny runs. */
    public static Path faqHead(Path dir, int chars) throws IOException {
        Path file = dir.resolve("faq-head.txt");
        Files.writeString(file, faqText().substring(0, chars));
        return file;
    }

    public static String faqText() throws IOException {
        if (!Files.isRegularFile(FAQ)) {
            throw new IllegalStateException(FAQ.toAbsolutePath() + " is missing: the tests need ../shared beside the project");
        }
        return Files.readString(FAQ);
    }
}

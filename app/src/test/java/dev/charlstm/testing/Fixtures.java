package dev.charlstm.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shared test inputs. */
public final class Fixtures {

    /** The project's root: tests run in the app module's folder, one level down. */
    public static final Path PROJECT = Path.of("..");

    /**
     * The real UW COVID-19 FAQ text, shared read-only beside the project: for scenario tests and for
     * tests about that text itself. Unit tests that only need FAQ-like text use {@link #faqSlice()}.
     */
    public static final Path FAQ = PROJECT.resolve(Path.of("..", "shared", "corpora", "covid19-faq.txt"));

    /**
     * About 8 KB of questions and answers cut from the FAQ snapshot bundled in the jar
     * (src/main/resources/dev/charlstm/scrape/faq-snapshot.html), kept with the tests so that unit
     * tests run without ../shared.
     */
    static final String SLICE_RESOURCE = "/dev/charlstm/testing/faq-slice.txt";

    private Fixtures() {}

    /**
     * The first {@code chars} characters of {@link #faqSlice()}, written to {@code dir}: a corpus for
     * tiny runs.
     */
    public static Path faqHead(Path dir, int chars) throws IOException {
        String slice = faqSlice();
        if (chars > slice.length()) {
            throw new IllegalArgumentException("the FAQ slice has " + slice.length() + " characters, not " + chars);
        }
        Path file = dir.resolve("faq-head.txt");
        Files.writeString(file, slice.substring(0, chars));
        return file;
    }

    /** FAQ-like text from the test resources: real questions and answers, no dependency on ../shared. */
    public static String faqSlice() {
        try (InputStream in = Fixtures.class.getResourceAsStream(SLICE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SLICE_RESOURCE + " is missing from the test class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The whole real FAQ from {@link #FAQ}; fails with a clear message when ../shared is absent. */
    public static String faqText() throws IOException {
        if (!Files.isRegularFile(FAQ)) {
            throw new IllegalStateException(FAQ.toAbsolutePath() + " is missing: the tests need ../shared beside the project");
        }
        return Files.readString(FAQ);
    }
}

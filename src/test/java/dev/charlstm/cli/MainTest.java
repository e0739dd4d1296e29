package dev.charlstm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charlstm.model.ModelFile;
import dev.charlstm.testing.ConsoleCapture;
import dev.charlstm.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void trainsFromTheCommandLine() throws Exception {
        Path corpus = dir.resolve("faq.txt");
        Files.writeString(corpus, Fixtures.faqText().substring(0, 5000));
        Path out = dir.resolve("run");
        int code = Main.run("train", "--corpus", corpus.toString(), "--out", out.toString(), "--no-progress",
                "--max-iterations", "4", "--set", "embedding_size=8", "--set", "hidden_size=8",
                "--set", "chunk_length=20", "--set", "tbptt_length=10", "--set", "batch_size=4",
                "--set", "eval_every=2", "--set", "sample_length=10");
        assertThat(code).as(console.err()).isZero();
        assertThat(console.out()).contains("Model: " + out.resolve("model.zip"));
        assertThat(ModelFile.load(out.resolve("model.zip")).metadata().training().iterations()).isEqualTo(4);
        assertThat(out.resolve("metrics.json")).exists();
        assertThat(out.resolve("loss.png")).exists();
    }

    @Test
    void badConfigValueIsOneLineAndExitCodeTwo() {
        int code = Main.run("train", "--set", "hidden_size=-3");
        assertThat(code).isEqualTo(2);
        assertThat(console.err()).isEqualTo("charlstm: error: 'hidden_size' must be an integer in [1, 8192], got '-3'"
                + System.lineSeparator());
    }

    @Test
    void unknownKeyMissingCorpusAndMissingResumeAreOneLineErrors() {
        assertThat(Main.run("train", "--set", "speed=11")).isEqualTo(2);
        assertThat(console.err()).startsWith("charlstm: error: unknown config key 'speed'").doesNotContain("\tat ");
        console.reset();
        assertThat(Main.run("train", "--corpus", dir.resolve("missing.txt").toString(), "--out",
                dir.resolve("o").toString())).isEqualTo(2);
        assertThat(console.err()).isEqualTo("charlstm: error: corpus file " + dir.resolve("missing.txt")
                + " does not exist" + System.lineSeparator());
        console.reset();
        assertThat(Main.run("train", "--resume", dir.resolve("nothing").toString())).isEqualTo(2);
        assertThat(console.err()).contains("--resume: ").contains("does not exist");
    }

    @Test
    void binaryAndEmptyCorporaAreRefused() throws Exception {
        Path binary = dir.resolve("model.bin");
        Files.write(binary, new byte[] {1, 2, 0, 4});
        assertThat(Main.run("train", "--corpus", binary.toString(), "--out", dir.resolve("o").toString()))
                .isEqualTo(2);
        assertThat(console.err()).contains("is binary, not text");
        console.reset();
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "   \n");
        assertThat(Main.run("train", "--corpus", empty.toString(), "--out", dir.resolve("o").toString()))
                .isEqualTo(2);
        assertThat(console.err()).contains("is empty");
    }

    @Test
    void strictRefusesCharactersOutsideTheVocabulary() throws Exception {
        Path corpus = dir.resolve("snow.txt");
        Files.writeString(corpus, "Snow \u2603 closes campus.\n".repeat(100));
        assertThat(Main.run("train", "--strict", "--corpus", corpus.toString(), "--out", dir.resolve("o").toString()))
                .isEqualTo(2);
        assertThat(console.err()).isEqualTo("charlstm: error: character '\u2603' (U+2603) at position 5 of the normalised "
                + "text is not in the vocabulary" + System.lineSeparator());
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertThat(Main.run("train", "--epochs", "3")).isEqualTo(2);
        assertThat(console.err()).isEqualTo("charlstm: error: Unknown options: '--epochs', '3' (see 'charlstm train --help')"
                + System.lineSeparator());
    }

    @Test
    void trainHelpListsTheConfigurationKeys() {
        assertThat(Main.run("train", "--help")).isZero();
        assertThat(console.out()).contains("--max-seconds").contains("hidden_size")
                .contains("LSTM units per layer");
    }

    @Test
    void scrapeWritesTheSnapshotWithProvenance() throws Exception {
        Path out = dir.resolve("faq.txt");
        assertThat(Main.run("scrape", "--snapshot", "--out", out.toString())).as(console.err()).isZero();
        assertThat(Files.readString(out).length()).isGreaterThan(50_000);
        assertThat(dir.resolve("faq.txt.provenance.json")).exists();
        assertThat(Main.run("scrape", "--url", "ftp://example.org/faq", "--out", out.toString())).isEqualTo(2);
        assertThat(console.err()).contains("--url must be an http or https URL");
    }
}

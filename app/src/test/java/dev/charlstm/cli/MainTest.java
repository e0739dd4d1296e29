package dev.charlstm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.charlstm.model.ModelFile;
import dev.charlstm.testing.ConsoleCapture;
import dev.charlstm.testing.Fixtures;
import dev.charlstm.testing.TinyModels;
import dev.charlstm.train.TrainConfig;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
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
        Files.writeString(corpus, Fixtures.faqSlice().substring(0, 5000));
        Path out = dir.resolve("run");
        int code = Main.run("train", "--corpus", corpus.toString(), "--out", out.toString(), "--no-progress",
                "--max-iterations", "4", "--set", "embedding_size=8", "--set", "hidden_size=8",
                "--set", "chunk_length=20", "--set", "tbptt_length=10", "--set", "batch_size=4",
                "--set", "eval_every=2", "--set", "sample_length=10");
        assertThat(code).as(console.err()).isZero();
        assertThat(console.out()).contains("Model: " + out.resolve("model.zip"));
        var training = ModelFile.load(out.resolve("model.zip")).metadata().training();
        assertThat(training.iterations()).isEqualTo(4);
        assertThat(out.resolve("metrics.json")).exists();
        // The run was planned (the default), with every key given on the command line kept.
        var metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        var plan = metrics.get("plan");
        assertThat(plan.get("fixed_keys")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("hidden_size", "batch_size", "eval_every");
        assertThat(plan.get("candidates")).allSatisfy(c -> {
            assertThat(c.get("hidden_size").asInt()).isEqualTo(8);
            assertThat(c.get("batch_size").asInt()).isEqualTo(4);
            assertThat(c.get("train_chars_per_sec").asLong()).isPositive();
        });
        assertThat(plan.get("max_iterations").asLong()).isEqualTo(4);
        assertThat(metrics.get("config").get("layers").asInt()).isEqualTo(plan.get("chosen").get("layers").asInt());
        assertThat(metrics.get("config").get("eval_every").asInt()).isEqualTo(2);
        assertThat(training.plan()).as("the model's metadata keeps the plan").containsKeys("chosen", "candidates");
        assertThat(metrics.get("test_loss_nats").asDouble()).isPositive();
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

    private static final String[] TINY = {"--no-progress", "--set", "embedding_size=8", "--set", "hidden_size=8",
        "--set", "chunk_length=20", "--set", "tbptt_length=10", "--set", "batch_size=4", "--set", "eval_every=2",
        "--set", "sample_length=10", "--set", "plan=off"};

    private int train(Path corpus, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--corpus", corpus.toString(),
                "--out", out.toString()));
        args.addAll(List.of(TINY));
        args.addAll(List.of(more));
        return Main.run(args.toArray(String[]::new));
    }

    @Test
    void trainingAfreshOverAFinishedModelNeedsForceOrResume() throws Exception {
        Path corpus = Fixtures.faqHead(dir, 5000);
        Path out = dir.resolve("run");
        assertThat(train(corpus, out, "--max-iterations", "2")).as(console.err()).isZero();
        byte[] first = Files.readAllBytes(out.resolve("model.zip"));
        console.reset();
        assertThat(train(corpus, out, "--max-iterations", "2")).isEqualTo(2);
        assertThat(console.err()).isEqualTo("charlstm: error: " + out + " already holds a finished model (model.zip); "
                + "pass --force to replace it, --resume " + out + " to continue it, or --out DIR to train into another "
                + "folder" + System.lineSeparator());
        assertThat(Files.readAllBytes(out.resolve("model.zip"))).isEqualTo(first);

        console.reset();
        assertThat(Main.run("train", "--resume", out.toString(), "--max-iterations", "4", "--no-progress"))
                .as(console.err()).isZero();
        assertThat(console.out()).containsPattern("4 iterations, .*; \\d+ s this run, \\d+ s in total\\)");
        console.reset();
        assertThat(train(corpus, out, "--max-iterations", "2", "--force")).as(console.err()).isZero();
        assertThat(ModelFile.load(out.resolve("model.zip")).metadata().training().iterations()).isEqualTo(2);
    }

    @Test
    void aSecondRunIntoAnOutputDirectoryInUseIsRefusedAndAStaleLockIsTakenOver() throws Exception {
        Path corpus = Fixtures.faqHead(dir, 5000);
        Path out = Files.createDirectories(dir.resolve("busy"));
        Path lockFile = out.resolve(".lock");
        try (FileChannel held = FileChannel.open(lockFile,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = held.lock()) {
            held.write(ByteBuffer.wrap("4242\n".getBytes()));
            assertThat(train(corpus, out, "--max-iterations", "2")).isEqualTo(2);
        }
        assertThat(console.err()).isEqualTo("charlstm: error: " + out + " is in use by another train run (pid 4242); "
                + "wait for it to finish or train into another --out" + System.lineSeparator());
        assertThat(out.resolve("model.zip")).doesNotExist();

        // A killed run leaves its pid in a lock file nobody holds: the next run takes it over.
        Files.writeString(lockFile, "2147483646\n");
        console.reset();
        assertThat(train(corpus, out, "--max-iterations", "2")).as(console.err()).isZero();
        assertThat(out.resolve("model.zip")).exists();
        assertThat(Files.readString(lockFile)).as("emptied on a clean exit").isEmpty();
    }

    @Test
    void aNetworkTooLargeForThisJvmIsRefusedBeforeTrainingWithWhatFits() throws Exception {
        Path corpus = Fixtures.faqHead(dir, 5000);
        assertThat(Main.run("train", "--corpus", corpus.toString(), "--out", dir.resolve("big").toString(),
                "--set", "hidden_size=8000")).isEqualTo(2);
        String err = console.err();
        assertThat(err).hasLineCount(1).startsWith("charlstm: error: hidden_size=8000 with layers=2 makes ")
                .contains("too many for this JVM").contains("is the largest that fits");
        int fits = Integer.parseInt(err.replaceAll("(?s).*hidden_size=(\\d+) is the largest.*", "$1"));
        TrainConfig base = TrainConfig.defaults();
        MemoryBudget.Limits limits = MemoryBudget.Limits.ofThisJvm();
        MemoryBudget.check(base.with("hidden_size", fits), 100, limits);
        assertThatThrownBy(
                () -> MemoryBudget.check(base.with("hidden_size", fits + 1), 100, limits))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(dir.resolve("big")).doesNotExist();
    }

    @Test
    void theMemoryEstimateCountsTheParametersTheNetworkHas() {
        for (String layers : new String[] {"1", "2", "3"}) {
            TrainConfig c = TinyModels.config().with("layers", layers);
            assertThat(MemoryBudget.parameters(c, 100)).as("%s layers", layers)
                    .isEqualTo(TinyModels.network(c).numParams());
        }
    }

    @Test
    void aMistypedCommandSuggestsTheClosestOne() {
        assertThat(Main.run("sampel", "--length", "3")).isEqualTo(2);
        assertThat(console.err()).isEqualTo("charlstm: error: unknown command 'sampel'; did you mean 'sample'? "
                + "(see 'charlstm --help')" + System.lineSeparator());
        console.reset();
        assertThat(Main.run("xyzzy")).isEqualTo(2);
        assertThat(console.err()).isEqualTo("charlstm: error: unknown command 'xyzzy' (see 'charlstm --help')"
                + System.lineSeparator());
    }

    @Test
    void trainHelpKeepsEachKeysTextUnderItAndTheSeedRangeReadable() {
        assertThat(Main.run("train", "--help")).isZero();
        String help = console.out();
        String keys = help.substring(help.indexOf("Configuration keys"));
        assertThat(keys).contains("9223372036854775807").doesNotContain("E18");
        List<String> lines = keys.lines().skip(1).filter(l -> !l.isBlank()).toList();
        assertThat(lines).isNotEmpty().allSatisfy(line -> {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(80);
            assertThat(line).as("indented, never wrapped to column 0").startsWith("  ");
        });
    }
}

package dev.charlstm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.charlstm.testing.ConsoleCapture;
import dev.charlstm.testing.Fixtures;
import dev.charlstm.testing.TinyModels;
import dev.charlstm.testing.Zips;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of damaged input, through the command line as a user meets it: one line on stderr
 * that says what is wrong, exit code 2, and the stack trace only with {@code --verbose}.
 * The loaders' own messages are checked in detail by ModelFileTest, TrainConfigTest and MainTest;
 * this table checks that none of them leaks a trace or a second line at the CLI.
 */
class CorruptInputsIT {

    @TempDir
    static Path dir;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    /** One damaged input: the command that meets it and a phrase its error must contain. */
    record Case(String name, List<String> args, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Pattern PROGRESS = Pattern.compile("\\d\\d:\\d\\d:\\d\\d (INFO|WARN) .*");

    private static final List<String> TINY = List.of("--no-progress", "--max-iterations", "2",
            "--set", "embedding_size=8", "--set", "hidden_size=8", "--set", "chunk_length=20",
            "--set", "tbptt_length=10", "--set", "batch_size=4", "--set", "sample_length=5", "--set", "plan=off");

    @BeforeAll
    static void damagedFiles() throws Exception {
        Path good = dir.resolve("good.zip");
        TinyModels.savePeaky(good);
        byte[] bytes = Files.readAllBytes(good);
        Files.write(dir.resolve("truncated.zip"), Arrays.copyOf(bytes, bytes.length / 2));
        rewrite(good, "no-metadata.zip", "charlstm/metadata.json", null);
        rewrite(good, "no-weights.zip", "charlstm/weights.f32", null);
        ObjectMapper json = new ObjectMapper();
        ObjectNode meta = (ObjectNode) json.readTree(entry(good, "charlstm/metadata.json"));
        rewrite(good, "other-vocabulary.zip", "charlstm/metadata.json",
                json.writeValueAsBytes(meta.deepCopy().put("vocabulary", "abcdef")));
        rewrite(good, "newer.zip", "charlstm/metadata.json",
                json.writeValueAsBytes(meta.deepCopy().put("format_version", 99)));
        Files.writeString(dir.resolve("wrong-types.yaml"), "hidden_size: lots\nlearning_rate: [1, 2]\n");
        Files.writeString(dir.resolve("not-yaml.yaml"), ": : :\n\t- [\n");
        Files.writeString(dir.resolve("empty.txt"), "");
        Files.write(dir.resolve("binary.txt"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13, 1, 2, 3});
        Files.writeString(dir.resolve("short.txt"), "Masks on.");
        Files.writeString(dir.resolve("text.txt"), "Testing is free.\n");
        Fixtures.faqHead(dir, 3000);
    }

    static Stream<Case> cases() {
        return Stream.of(
                sample("truncated model.zip", "truncated.zip", "not a readable zip file"),
                sample("zip without metadata", "no-metadata.zip", "the zip has no charlstm/metadata.json"),
                sample("zip without weights", "no-weights.zip", "the zip has no charlstm/weights.f32"),
                sample("model of another vocabulary", "other-vocabulary.zip", "the vocabulary has 6 characters"),
                sample("newer model format", "newer.zip", "format version 99 by a newer charlstm"),
                new Case("evaluate with a truncated model", List.of("evaluate", "--model", file("truncated.zip"),
                        "--text", file("text.txt")), "not a readable zip file"),
                new Case("serve a truncated model", List.of("serve", "--model", file("truncated.zip"), "--port", "0"),
                        "not a readable zip file"),
                train("config with wrong types", List.of("--config", file("wrong-types.yaml"), "--corpus",
                        file("faq-head.txt")), "'hidden_size' must be an integer"),
                train("config that is not YAML", List.of("--config", file("not-yaml.yaml"), "--corpus",
                        file("faq-head.txt")), "is not valid YAML"),
                train("empty corpus", List.of("--corpus", file("empty.txt")), "is empty"),
                train("binary corpus", List.of("--corpus", file("binary.txt")), "is binary, not text"),
                train("corpus shorter than one chunk", List.of("--corpus", file("short.txt")), "fewer than one chunk"),
                new Case("evaluate a binary text", List.of("evaluate", "--model", file("good.zip"),
                        "--text", file("binary.txt")), "binary"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneLineExitCodeTwoNoStackTrace(Case c) {
        int code = Main.run(c.args().toArray(String[]::new));
        String err = console.err();
        assertThat(code).as(err).isEqualTo(2);
        assertThat(err).contains(c.message()).doesNotContain("\tat ").doesNotContain("Exception");
        // Progress lines of the log may come first (train logs the corpus it read); the error is one line.
        assertThat(err.lines().filter(line -> !PROGRESS.matcher(line).matches()))
                .as("lines of: " + err).singleElement().asString().startsWith("charlstm: error: ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verbosePrintsTheStackTrace(Case c) {
        List<String> args = new ArrayList<>(c.args());
        args.add("--verbose");
        assertThat(Main.run(args.toArray(String[]::new))).isEqualTo(2);
        assertThat(console.err()).contains("charlstm: error: ").contains(c.message()).contains("\tat dev.charlstm.");
    }

    private static Case sample(String name, String model, String message) {
        return new Case(name, List.of("sample", "--model", file(model), "--length", "5"), message);
    }

    private static Case train(String name, List<String> args, String message) {
        List<String> all = new ArrayList<>(List.of("train", "--out", dir.resolve("out-" + name.hashCode()).toString()));
        all.addAll(args);
        all.addAll(TINY);
        return new Case(name, all, message);
    }

    private static String file(String name) {
        return dir.resolve(name).toString();
    }

    private static byte[] entry(Path zip, String name) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            return z.getInputStream(z.getEntry(name)).readAllBytes();
        }
    }

    private static void rewrite(Path source, String name, String entry, byte[] replacement) throws IOException {
        Zips.rewrite(source, dir.resolve(name), entry, replacement);
    }
}

package dev.charlstm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.generate.Sample;
import dev.charlstm.testing.ConsoleCapture;
import dev.charlstm.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandsTest {

    @TempDir
    static Path dir;
    static Path model;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @BeforeAll
    static void saveModel() throws Exception {
        model = dir.resolve("model.zip");
        TinyModels.savePeaky(model);
    }

    @Test
    void samplePrintsWhatTheLibraryGenerates() throws Exception {
        int code = Main.run("sample", "--model", model.toString(), "--prime", "Masks", "--length", "80",
                "--seed", "5", "--temperature", "0.7", "--top-k", "10");
        assertThat(code).as(console.err()).isZero();
        String expected = Generator.load(model).generate(GenerationOptions.builder().prime("Masks").length(80)
                .seed(5L).temperature(0.7).topK(10).build()).get(0).fullText();
        assertThat(console.out()).isEqualTo(expected + System.lineSeparator());
    }

    @Test
    void sampleJsonHasTheServicesFieldsTextsAndAStoppedByPerSample() throws Exception {
        int code = Main.run("sample", "--model", model.toString(), "--count", "3", "--length", "20", "--seed", "9",
                "--top-p", "0.9", "--stop", "\n", "--json");
        assertThat(code).as(console.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(console.out());
        List<Sample> expected = Generator.load(model).generate(GenerationOptions.builder().length(20).seed(9L)
                .count(3).topP(0.9).stop(List.of("\n")).build());
        assertThat(json.get("texts")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(json.get("texts").get(i).asText()).isEqualTo(expected.get(i).text());
            String stoppedBy = expected.get(i).stoppedBy() == null ? "length" : expected.get(i).stoppedBy();
            assertThat(json.get("stopped_by").get(i).asText()).isEqualTo(stoppedBy);
        }
        assertThat(json.get("seeds").get(2).asLong()).isEqualTo(11);
        assertThat(json.get("options").get("top_p").asDouble()).isEqualTo(0.9);
        assertThat(json.get("options").get("stop").get(0).asText()).isEqualTo("\n");
        assertThat(json.get("timing").get("chars_per_sec").asDouble()).isPositive();
        assertThat(json.has("samples")).isFalse();
    }

    @Test
    void outputWritesExactlyTheJsonToAFileAndNothingToStdout() throws Exception {
        Path file = dir.resolve("out").resolve("sample.json");
        assertThat(Main.run("sample", "--model", model.toString(), "--length", "15", "--seed", "3",
                "--output", file.toString())).as(console.err()).isZero();
        assertThat(console.out()).isEmpty();
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertThat(json.get("texts").get(0).asText()).isEqualTo(Generator.load(model)
                .generate(GenerationOptions.builder().length(15).seed(3L).build()).get(0).text());
        assertThat(Files.list(file.getParent())).containsExactly(file); // written via a temporary file, renamed

        Path text = dir.resolve("scored.txt");
        Files.writeString(text, "Masks are required.\n");
        Path scores = dir.resolve("score.json");
        console.reset();
        assertThat(Main.run("evaluate", "--model", model.toString(), "--text", text.toString(),
                "--output", scores.toString())).as(console.err()).isZero();
        assertThat(console.out()).isEmpty();
        assertThat(new ObjectMapper().readTree(scores.toFile()).get("chars").asInt()).isEqualTo(19); // every character after the first is predicted

        console.reset();
        assertThat(Main.run("evaluate", "--model", model.toString(), "--text", text.toString(),
                "--output", dir.toString())).isEqualTo(2);
        assertThat(console.err()).isEqualTo("charlstm: error: --output: " + dir + " is a directory, not a file"
                + System.lineSeparator());
    }

    @Test
    void modelMayBeAFolderHoldingModelZip() throws Exception {
        Path folder = dir.resolve("faq");
        Files.createDirectories(folder);
        Files.copy(model, folder.resolve("model.zip"));
        assertThat(Main.run("sample", "--model", folder.toString(), "--length", "30", "--seed", "4"))
                .as(console.err()).isZero();
        assertThat(console.out()).isEqualTo(Generator.load(model).generate(GenerationOptions.builder().length(30)
                .seed(4L).build()).get(0).fullText() + System.lineSeparator());
        Path empty = Files.createDirectories(dir.resolve("empty-folder"));
        console.reset();
        assertThat(Main.run("sample", "--model", empty.toString())).isEqualTo(2);
        assertThat(console.err()).isEqualTo("charlstm: error: --model: " + empty + " is a folder without a model.zip"
                + System.lineSeparator());
    }

    @Test
    void anEmojiInThePrimeIsNamedByCodePointBeforeAnythingIsPrinted() {
        assertThat(Main.run("sample", "--model", model.toString(), "--prime", "Hi \uD83D\uDE37 there")).isEqualTo(2);
        assertThat(console.out()).isEmpty();
        assertThat(console.err()).isEqualTo("charlstm: error: prime character '\uD83D\uDE37' (U+1F637) at position 3 "
                + "is not in the model's vocabulary and has no folding onto it" + System.lineSeparator());
    }

    @Test
    void wrongSampleArgumentsAreOneLineErrorsWithCodeTwo() {
        String[][] cases = {
            {"--length", "-5"}, {"--temperature", "-1"}, {"--top-p", "0"}, {"--top-p", "1.2"}, {"--count", "0"},
            {"--length", "many"}, {"--prime", "\u2603"},
        };
        for (String[] c : cases) {
            console.reset();
            int code = Main.run("sample", "--model", model.toString(), c[0], c[1]);
            assertThat(code).as(String.join(" ", c)).isEqualTo(2);
            assertThat(console.err()).as(String.join(" ", c)).startsWith("charlstm: error: ")
                    .hasLineCount(1).doesNotContain("Exception");
        }
        console.reset();
        assertThat(Main.run("sample", "--model", dir.resolve("missing.zip").toString())).isEqualTo(2);
        assertThat(console.err()).isEqualTo("charlstm: error: " + dir.resolve("missing.zip") + ": no such file"
                + System.lineSeparator());
    }

    @Test
    void evaluateReportsLossOnAText() throws Exception {
        Path text = dir.resolve("held-out.txt");
        Files.writeString(text, "Testing is free for students and employees.\n");
        assertThat(Main.run("evaluate", "--model", model.toString(), "--text", text.toString(), "--json"))
                .as(console.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(console.out());
        double expected = Generator.load(model).score(Files.readString(text)).lossNats();
        assertThat(json.get("chars").asInt()).isEqualTo(43);
        assertThat(json.get("loss_nats").asDouble()).isCloseTo(expected, within(1e-9));
        assertThat(json.get("bpc").asDouble()).isCloseTo(expected / Math.log(2), within(1e-9));
        console.reset();
        assertThat(Main.run("evaluate", "--model", model.toString(), "--text", text.toString())).isZero();
        assertThat(console.out()).contains("43 characters").contains("nats/char").contains("bits/char");
    }

    @Test
    void evaluateRefusesMissingOrBinaryText() throws Exception {
        assertThat(Main.run("evaluate", "--model", model.toString(), "--text", dir.resolve("none").toString()))
                .isEqualTo(2);
        assertThat(console.err()).contains("does not exist");
        Path binary = dir.resolve("bytes.bin");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x41});
        console.reset();
        assertThat(Main.run("evaluate", "--model", model.toString(), "--text", binary.toString())).isEqualTo(2);
        assertThat(console.err()).contains("is not UTF-8 text");
        console.reset();
        assertThat(Main.run("evaluate", "--model", model.toString())).isEqualTo(2);
        assertThat(console.err()).contains("Missing required option: '--text=FILE'");
    }
}

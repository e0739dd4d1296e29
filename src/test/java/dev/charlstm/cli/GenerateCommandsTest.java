package dev.charlstm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.testing.TinyModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandsTest {

    @TempDir
    static Path dir;
    static Path model;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeAll
    static void saveModel() throws Exception {
        model = dir.resolve("model.zip");
        TinyModels.savePeaky(model);
    }

    @BeforeEach
    void capture() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void samplePrintsWhatTheLibraryGenerates() throws Exception {
        int code = Main.run("sample", "--model", model.toString(), "--prime", "Masks", "--length", "80",
                "--seed", "5", "--temperature", "0.7", "--top-k", "10");
        assertThat(code).as(err()).isZero();
        String expected = Generator.load(model).generate(GenerationOptions.builder().prime("Masks").length(80)
                .seed(5L).temperature(0.7).topK(10).build()).get(0).fullText();
        assertThat(out()).isEqualTo(expected + System.lineSeparator());
    }

    @Test
    void sampleJsonHasTextsOptionsAndSpeed() throws Exception {
        int code = Main.run("sample", "--model", model.toString(), "--count", "3", "--length", "20", "--seed", "9",
                "--top-p", "0.9", "--stop", "\n", "--json");
        assertThat(code).as(err()).isZero();
        JsonNode json = new ObjectMapper().readTree(out());
        assertThat(json.get("samples")).hasSize(3);
        assertThat(json.get("samples").get(2).get("seed").asLong()).isEqualTo(11);
        assertThat(json.get("options").get("top_p").asDouble()).isEqualTo(0.9);
        assertThat(json.get("options").get("stop").get(0).asText()).isEqualTo("\n");
        assertThat(json.get("chars_per_sec").asDouble()).isPositive();
    }

    @Test
    void wrongSampleArgumentsAreOneLineErrorsWithCodeTwo() {
        String[][] cases = {
            {"--length", "-5"}, {"--temperature", "-1"}, {"--top-p", "0"}, {"--top-p", "1.2"}, {"--count", "0"},
            {"--length", "many"}, {"--prime", "\u2603"},
        };
        for (String[] c : cases) {
            err.reset();
            int code = Main.run("sample", "--model", model.toString(), c[0], c[1]);
            assertThat(code).as(String.join(" ", c)).isEqualTo(2);
            assertThat(err()).as(String.join(" ", c)).startsWith("charlstm: error: ")
                    .hasLineCount(1).doesNotContain("Exception");
        }
        err.reset();
        assertThat(Main.run("sample", "--model", dir.resolve("missing.zip").toString())).isEqualTo(2);
        assertThat(err()).isEqualTo("charlstm: error: " + dir.resolve("missing.zip") + ": no such file"
                + System.lineSeparator());
    }

    @Test
    void evaluateReportsLossOnAText() throws Exception {
        Path text = dir.resolve("held-out.txt");
        Files.writeString(text, "Testing is free for students and employees.\n");
        assertThat(Main.run("evaluate", "--model", model.toString(), "--text", text.toString(), "--json"))
                .as(err()).isZero();
        JsonNode json = new ObjectMapper().readTree(out());
        double expected = Generator.load(model).score(Files.readString(text)).lossNats();
        assertThat(json.get("chars").asInt()).isEqualTo(43);
        assertThat(json.get("loss_nats").asDouble()).isCloseTo(expected, within(1e-9));
        assertThat(json.get("bpc").asDouble()).isCloseTo(expected / Math.log(2), within(1e-9));
        out.reset();
        assertThat(Main.run("evaluate", "--model", model.toString(), "--text", text.toString())).isZero();
        assertThat(out()).contains("43 characters").contains("nats/char").contains("bits/char");
    }

    @Test
    void evaluateRefusesMissingOrBinaryText() throws Exception {
        assertThat(Main.run("evaluate", "--model", model.toString(), "--text", dir.resolve("none").toString()))
                .isEqualTo(2);
        assertThat(err()).contains("does not exist");
        Path binary = dir.resolve("bytes.bin");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x41});
        err.reset();
        assertThat(Main.run("evaluate", "--model", model.toString(), "--text", binary.toString())).isEqualTo(2);
        assertThat(err()).contains("is not UTF-8 text");
        err.reset();
        assertThat(Main.run("evaluate", "--model", model.toString())).isEqualTo(2);
        assertThat(err()).contains("Missing required option: '--text=FILE'");
    }
}

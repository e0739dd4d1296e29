package dev.charlstm.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceTextTest {

    @TempDir
    Path dir;

    private static SourceText sample() {
        String text = "Où est le café ?\nÀ côté — “ici”.\n\nSecond?\nYes.\n";
        Provenance provenance = Provenance.of("live", "https://covidresponse.wisc.edu/faq/",
                Instant.parse("2021-03-01T12:34:56.789Z"), 200, "text/html; charset=UTF-8", text);
        return new SourceText(text, provenance, 2, SourceText.Extraction.none(2));
    }

    @Test
    void writesTheTextAndItsProvenanceBesideIt() throws Exception {
        SourceText result = sample();
        Path textFile = dir.resolve("corpus/faq.txt");

        result.write(textFile);

        byte[] written = Files.readAllBytes(textFile);
        assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(result.text());
        String fileSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(written));

        Path jsonFile = dir.resolve("corpus/faq.txt.provenance.json");
        assertThat(SourceText.provenanceFile(textFile)).isEqualTo(jsonFile);
        String jsonText = Files.readString(jsonFile);
        assertThat(jsonText).contains("\n  \"source\"").endsWith("}\n"); // pretty printed
        JsonNode json = new ObjectMapper().readTree(jsonText);
        assertThat(json.get("sha256").asText()).isEqualTo(fileSha).isEqualTo(result.provenance().sha256());
        assertThat(json.get("source").asText()).isEqualTo("live");
        assertThat(json.get("url").asText()).isEqualTo("https://covidresponse.wisc.edu/faq/");
        assertThat(json.get("fetchedAt").asText()).isEqualTo("2021-03-01T12:34:56.789Z");
        assertThat(Instant.parse(json.get("fetchedAt").asText())).isEqualTo(result.provenance().fetchedAt());
        assertThat(json.get("httpStatus").asInt()).isEqualTo(200);
        assertThat(json.get("contentType").asText()).isEqualTo("text/html; charset=UTF-8");
        assertThat(json.get("chars").asInt()).isEqualTo(result.text().length());
        assertThat(json.get("entries").asInt()).isEqualTo(2);
        assertThat(json.get("fallbackUsed").asBoolean()).isFalse();
        try (Stream<Path> files = Files.list(dir.resolve("corpus"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "faq.txt", "faq.txt.provenance.json");
        }
    }

    /** Issue 18: the provenance of a run trained on the bundled snapshot said "fallbackUsed": false. */
    @Test
    void theProvenanceOfTheSnapshotSaysTheFallbackWasUsedAndHowItWasRead() throws Exception {
        Path textFile = dir.resolve("corpus.txt");
        String text = "Q?\nA.\n";
        Map<String, Integer> byRule = new LinkedHashMap<>();
        byRule.put("decoration", 10);
        byRule.put("navigation", 2);
        SourceText snapshot = new SourceText(text, Provenance.of("snapshot", "classpath:faq", Instant.now(), 200,
                "text/html", text), 1, new SourceText.Extraction("accordion", 1, 12, byRule));

        snapshot.write(textFile);

        JsonNode json = new ObjectMapper().readTree(SourceText.provenanceFile(textFile).toFile());
        assertThat(json.get("source").asText()).isEqualTo("snapshot");
        assertThat(json.get("fallbackUsed").asBoolean()).isTrue();
        JsonNode extraction = json.get("extraction");
        assertThat(extraction.get("shape").asText()).isEqualTo("accordion");
        assertThat(extraction.get("entries").asInt()).isEqualTo(1);
        assertThat(extraction.get("droppedByRule").get("decoration").asInt()).isEqualTo(10);
        assertThat(extraction.get("droppedBlocks").asInt()).isEqualTo(12);
        assertThat(extraction.get("droppedByRule").fieldNames()).toIterable().containsExactly("decoration", "navigation");
    }

    @Test
    void replacesAnEarlierCorpus() throws Exception {
        Path textFile = dir.resolve("faq.txt");
        Files.writeString(textFile, "old text that is longer than the new one\n".repeat(10));

        sample().write(textFile);

        assertThat(Files.readString(textFile)).isEqualTo(sample().text());
    }

    @Test
    void aMissingContentTypeIsWrittenAsNull() throws Exception {
        Path textFile = dir.resolve("file.txt");
        SourceText fromFile = SourceText.ofFile(textFile, "Q?\nA.\n");

        fromFile.write(textFile);

        JsonNode json = new ObjectMapper().readTree(dir.resolve("file.txt.provenance.json").toFile());
        assertThat(json.get("contentType").isNull()).isTrue();
        assertThat(json.get("source").asText()).isEqualTo("file");
        assertThat(json.get("httpStatus").asInt()).isZero();
    }

    @Test
    void checksItsArguments() {
        assertThatThrownBy(() -> sample().write(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new SourceText(null, sample().provenance())).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new SourceText("other\n", sample().provenance()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("provenance");
        assertThatThrownBy(() -> SourceText.provenanceFile(dir.getRoot())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ofFileDescribesAPlainText() {
        SourceText t = SourceText.ofFile(Path.of("data", "faq.txt"), "Q?\nA.\n");

        assertThat(t.provenance().source()).isEqualTo("file");
        assertThat(t.provenance().url()).startsWith("file:/").endsWith("/data/faq.txt");
        assertThat(t.provenance().httpStatus()).isZero();
        assertThat(t.entries()).isEqualTo(1);
        assertThat(t.extraction().shape()).isEqualTo("none");
        assertThat(t.fallbackUsed()).isFalse();
        assertThat(t.origin()).isEqualTo("file:" + t.provenance().url());
    }

    @Test
    void readFileRefusesWhatIsNotAText() throws Exception {
        assertThatThrownBy(() -> SourceText.readFile(dir.resolve("none.txt")))
                .hasMessage("corpus file " + dir.resolve("none.txt") + " does not exist");
        Path binary = Files.write(dir.resolve("b.bin"), new byte[] {'a', 0, 'b'});
        assertThatThrownBy(() -> SourceText.readFile(binary)).hasMessage("corpus file " + binary + " is binary, not text");
        Path latin1 = Files.write(dir.resolve("l.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9});
        assertThatThrownBy(() -> SourceText.readFile(latin1)).hasMessage("corpus file " + latin1 + " is not UTF-8 text");
        Path blank = Files.writeString(dir.resolve("e.txt"), " \n\n");
        assertThatThrownBy(() -> SourceText.readFile(blank)).hasMessage("corpus file " + blank + " is empty");
        Path good = Files.writeString(dir.resolve("g.txt"), "Q1\nA1\n\nQ2\nA2\n");
        SourceText read = SourceText.readFile(good);
        assertThat(read.text()).isEqualTo("Q1\nA1\n\nQ2\nA2\n");
        assertThat(read.entries()).isEqualTo(2);
    }

    @Test
    void filesOnlySourceReadsFilesAndNamesWhatItCannot() throws Exception {
        Path good = Files.writeString(dir.resolve("g.txt"), "Q?\nA.\n");
        assertThat(TextSource.FILES.read(good.toString()).text()).isEqualTo("Q?\nA.\n");
        assertThatThrownBy(() -> TextSource.FILES.read("default")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("corpus 'default' is a page to scrape");
        assertThatThrownBy(() -> TextSource.FILES.read("https://example.org/faq"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text files only");
    }
}

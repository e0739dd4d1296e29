package dev.charlstm.scrape;

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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusFilesTest {

    @TempDir
    Path dir;

    private static ScrapeResult sample() {
        String text = "Où est le café ?\nÀ côté — “ici”.\n\nSecond?\nYes.\n";
        Provenance provenance = Provenance.of("live", "https://covidresponse.wisc.edu/faq/",
                Instant.parse("2021-03-01T12:34:56.789Z"), 200, "text/html; charset=UTF-8", text);
        return new ScrapeResult(text, provenance, 2, ExtractionReport.notExtracted(2));
    }

    @Test
    void writesTheTextAndItsProvenanceBesideIt() throws Exception {
        ScrapeResult result = sample();
        Path textFile = dir.resolve("corpus/faq.txt");

        CorpusFiles.write(textFile, result);

        byte[] written = Files.readAllBytes(textFile);
        assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(result.text());
        String fileSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(written));

        Path jsonFile = dir.resolve("corpus/faq.txt.provenance.json");
        assertThat(CorpusFiles.provenanceFile(textFile)).isEqualTo(jsonFile);
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

        CorpusFiles.write(textFile, FaqScraper.snapshot());

        JsonNode json = new ObjectMapper().readTree(CorpusFiles.provenanceFile(textFile).toFile());
        assertThat(json.get("source").asText()).isEqualTo("snapshot");
        assertThat(json.get("fallbackUsed").asBoolean()).isTrue();
        JsonNode extraction = json.get("extraction");
        assertThat(extraction.get("shape").asText()).isEqualTo("accordion");
        assertThat(extraction.get("entries").asInt()).isEqualTo(162);
        assertThat(extraction.get("droppedByRule").get("decoration").asInt()).isEqualTo(10);
        assertThat(extraction.get("droppedBlocks").asInt())
                .isEqualTo(FaqScraper.snapshot().extraction().dropped());
    }

    @Test
    void replacesAnEarlierCorpus() throws Exception {
        Path textFile = dir.resolve("faq.txt");
        Files.writeString(textFile, "old text that is longer than the new one\n".repeat(10));

        CorpusFiles.write(textFile, sample());

        assertThat(Files.readString(textFile)).isEqualTo(sample().text());
    }

    @Test
    void aMissingContentTypeIsWrittenAsNull() throws Exception {
        Path textFile = dir.resolve("file.txt");
        ScrapeResult fromFile = ScrapeResult.fromFile(textFile, "Q?\nA.\n");

        CorpusFiles.write(textFile, fromFile);

        JsonNode json = new ObjectMapper().readTree(dir.resolve("file.txt.provenance.json").toFile());
        assertThat(json.get("contentType").isNull()).isTrue();
        assertThat(json.get("source").asText()).isEqualTo("file");
        assertThat(json.get("httpStatus").asInt()).isZero();
    }

    @Test
    void checksItsArguments() {
        assertThatThrownBy(() -> CorpusFiles.write(null, sample())).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> CorpusFiles.write(dir.resolve("x.txt"), null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> CorpusFiles.provenanceFile(dir.getRoot())).isInstanceOf(IllegalArgumentException.class);
    }
}

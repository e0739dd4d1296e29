package dev.charlstm.scrape;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.charlstm.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Writes a scraped corpus: the text itself and, beside it, {@code <textFile>.provenance.json}
 * saying where it came from. Each file is replaced atomically.
 *
 * <pre>{@code
 * CorpusFiles.write(Path.of("data/faq.txt"), FaqScraper.snapshot());
 * // data/faq.txt, data/faq.txt.provenance.json
 * }</pre>
 */
public final class CorpusFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CorpusFiles() {}

    /** Writes the text (UTF-8) and its provenance; the text first, so the JSON never describes a missing file. */
    public static void write(Path textFile, ScrapeResult r) throws IOException {
        Objects.requireNonNull(r, "result");
        Path provenanceFile = provenanceFile(textFile);
        AtomicFiles.writeString(textFile, r.text());
        AtomicFiles.writeString(provenanceFile, toJson(r) + "\n");
    }

    /** Where {@link #write} puts the provenance of {@code textFile}. */
    public static Path provenanceFile(Path textFile) {
        Objects.requireNonNull(textFile, "textFile");
        if (textFile.getFileName() == null) {
            throw new IllegalArgumentException("textFile must name a file, got " + textFile);
        }
        return textFile.resolveSibling(textFile.getFileName() + ".provenance.json");
    }

    static String toJson(ScrapeResult r) throws IOException {
        Provenance p = r.provenance();
        ObjectNode json = JSON.createObjectNode();
        json.put("source", p.source());
        json.put("url", p.url());
        // Written by hand as ISO-8601 text: plain jackson-databind has no java.time support.
        json.put("fetchedAt", p.fetchedAt().toString());
        json.put("httpStatus", p.httpStatus());
        json.put("contentType", p.contentType());
        json.put("sha256", p.sha256());
        json.put("chars", p.chars());
        json.put("entries", r.entries());
        // True when the bundled snapshot stood in for the live page; how the text was read is under "extraction".
        json.put("fallbackUsed", r.fallbackUsed());
        ExtractionReport report = r.extraction();
        ObjectNode extraction = json.putObject("extraction");
        extraction.put("shape", report.shape().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        extraction.put("entries", report.entries());
        extraction.put("droppedBlocks", report.dropped());
        ObjectNode byRule = extraction.putObject("droppedByRule");
        report.droppedByRule().forEach((rule, n) -> byRule.put(rule.id(), n));
        return JSON.writeValueAsString(json);
    }
}

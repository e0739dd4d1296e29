package dev.charlstm.corpus;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.charlstm.io.AtomicFiles;
import dev.charlstm.io.Json;
import dev.charlstm.io.StrictUtf8;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training text before normalisation, with where it came from: a scraped page, the bundled
 * snapshot or a file. What data preparation hands to training, and what a run keeps beside its
 * model as {@code corpus.txt} and {@code corpus.txt.provenance.json}.
 *
 * <pre>{@code
 * SourceText text = SourceText.readFile(Path.of("data/faq.txt"));
 * text.write(Path.of("models/faq/corpus.txt")); // and corpus.txt.provenance.json beside it
 * }</pre>
 *
 * @param text       the text
 * @param provenance where it came from; must describe {@code text}
 * @param entries    number of entries (blank-line separated blocks) in the text
 * @param extraction how the text was read out of a page; {@link Extraction#none} for a plain text
 */
public record SourceText(String text, Provenance provenance, int entries, Extraction extraction) {

    private static final Logger log = LoggerFactory.getLogger(SourceText.class);


    /**
     * What a page extractor found and dropped, as the provenance file records it.
     *
     * @param shape         the page shape the entries were read from, e.g. {@code "accordion"}, or {@code "none"}
     * @param entries       entries the extractor found
     * @param droppedBlocks blocks of page chrome dropped
     * @param droppedByRule how many blocks each rule dropped, by rule id, in the extractor's order
     */
    public record Extraction(String shape, int entries, int droppedBlocks, Map<String, Integer> droppedByRule) {
        public Extraction {
            Objects.requireNonNull(shape, "shape");
            // A copy that keeps the extractor's order, which the provenance file shows.
            droppedByRule = Collections.unmodifiableMap(new LinkedHashMap<>(
                    Objects.requireNonNull(droppedByRule, "droppedByRule")));
        }

        /** A text that was not extracted from a page. */
        public static Extraction none(int entries) {
            return new Extraction("none", entries, 0, Map.of());
        }
    }

    public SourceText {
        Objects.requireNonNull(extraction, "extraction");
        requireValid(text, provenance, entries);
    }

    /**
     * What every text with a provenance must satisfy, here and in a scrape's result: non-null, a
     * count of entries that is not negative, and a provenance whose length and SHA-256 are this text's.
     *
     * @throws IllegalArgumentException naming what does not hold
     */
    public static void requireValid(String text, Provenance provenance, int entries) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(provenance, "provenance");
        if (entries < 0) {
            throw new IllegalArgumentException("entries must not be negative, got " + entries);
        }
        if (!provenance.describes(text)) {
            throw new IllegalArgumentException("provenance does not describe this text (length or sha256 differs)");
        }
    }

    /** For a text that was not extracted from a page: entries are counted as blank-line separated blocks. */
    public SourceText(String text, Provenance provenance) {
        this(text, provenance, countEntries(Objects.requireNonNull(text, "text")),
                Extraction.none(countEntries(text)));
    }

    /**
     * Whether this is the bundled offline snapshot, which stands in for the live page when that
     * cannot be fetched. Derived from the provenance, so the two can never disagree.
     */
    public boolean fallbackUsed() {
        return provenance.source().equals("snapshot");
    }

    /** {@code source:url}, as a model's metadata and {@code metrics.json} name the text they learned from. */
    public String origin() {
        return provenance.source() + ":" + provenance.url();
    }

    /**
     * A plain text: provenance source {@code "file"}, the file's URI, HTTP status 0.
     *
     * <pre>{@code
     * SourceText t = SourceText.ofFile(path, Files.readString(path));
     * }</pre>
     */
    public static SourceText ofFile(Path file, String text) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(text, "text");
        String url = file.toAbsolutePath().normalize().toUri().toString();
        Instant readAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new SourceText(text, Provenance.of("file", url, readAt, 0, null, text));
    }

    /**
     * Reads a UTF-8 text file.
     *
     * @throws IllegalArgumentException when the file is missing, binary, not UTF-8 or empty
     */
    public static SourceText readFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("corpus file " + file + " does not exist");
        }
        byte[] bytes = Files.readAllBytes(file);
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException("corpus file " + file + " is binary, not text");
            }
        }
        String text;
        try {
            text = StrictUtf8.decode(bytes);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("corpus file " + file + " is not UTF-8 text");
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("corpus file " + file + " is empty");
        }
        log.info("Corpus: file {} ({} characters)", file, text.length());
        return ofFile(file, text);
    }

    /**
     * Writes the text (UTF-8) to {@code textFile} and its provenance beside it, to
     * {@link #provenanceFile}; each file is replaced atomically, the text first, so the JSON never
     * describes a missing file.
     */
    public void write(Path textFile) throws IOException {
        Path provenanceFile = provenanceFile(textFile);
        AtomicFiles.writeString(textFile, text);
        AtomicFiles.writeString(provenanceFile, provenanceJson() + "\n");
    }

    /** Where {@link #write} puts the provenance of {@code textFile}: {@code <textFile>.provenance.json}. */
    public static Path provenanceFile(Path textFile) {
        Objects.requireNonNull(textFile, "textFile");
        if (textFile.getFileName() == null) {
            throw new IllegalArgumentException("textFile must name a file, got " + textFile);
        }
        return textFile.resolveSibling(textFile.getFileName() + ".provenance.json");
    }

    /** The provenance file's content, pretty-printed JSON without the final newline. */
    String provenanceJson() throws IOException {
        Provenance p = provenance;
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("source", p.source());
        json.put("url", p.url());
        // Written by hand as ISO-8601 text: plain jackson-databind has no java.time support.
        json.put("fetchedAt", p.fetchedAt().toString());
        json.put("httpStatus", p.httpStatus());
        json.put("contentType", p.contentType());
        json.put("sha256", p.sha256());
        json.put("chars", p.chars());
        json.put("entries", entries);
        // True when the bundled snapshot stood in for the live page; how the text was read is under "extraction".
        json.put("fallbackUsed", fallbackUsed());
        ObjectNode node = json.putObject("extraction");
        node.put("shape", extraction.shape());
        node.put("entries", extraction.entries());
        node.put("droppedBlocks", extraction.droppedBlocks());
        ObjectNode byRule = node.putObject("droppedByRule");
        extraction.droppedByRule().forEach(byRule::put);
        return Json.PRETTY.writeValueAsString(json);
    }

    /** Entries of a text: its blocks of non-blank lines. */
    public static int countEntries(String text) {
        int entries = 0;
        boolean inEntry = false;
        for (String line : text.split("\n", -1)) {
            boolean blank = line.isBlank();
            if (!blank && !inEntry) {
                entries++;
            }
            inEntry = !blank;
        }
        return entries;
    }
}

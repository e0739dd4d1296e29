package dev.charlstm.train;

import dev.charlstm.scrape.FaqScraper;
import dev.charlstm.scrape.ScrapeException;
import dev.charlstm.scrape.ScrapeResult;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns the {@code corpus} setting into text: the live FAQ (or its bundled snapshot), a URL, or a file. */
final class CorpusSource {

    private static final Logger log = LoggerFactory.getLogger(CorpusSource.class);
    static final String DEFAULT = "default";

    private CorpusSource() {}

    /** The raw text and where it came from, as the scraper reports it. */
    static ScrapeResult resolve(String spec) throws ScrapeException, IOException {
        if (DEFAULT.equals(spec)) {
            return liveOrSnapshot();
        }
        if (spec.startsWith("http://") || spec.startsWith("https://")) {
            return FaqScraper.withDefaults().scrape(URI.create(spec));
        }
        return fromFile(Path.of(spec));
    }

    private static ScrapeResult liveOrSnapshot() {
        try {
            ScrapeResult live = FaqScraper.withDefaults().connectTimeout(Duration.ofSeconds(3)).maxRetries(1)
                    .scrape(FaqScraper.DEFAULT_URL);
            log.info("Corpus: live FAQ page {} ({} characters)", FaqScraper.DEFAULT_URL, live.text().length());
            return live;
        } catch (ScrapeException e) {
            ScrapeResult snapshot = FaqScraper.snapshot();
            log.warn("Live FAQ page unavailable ({}); using the bundled offline snapshot ({} characters)",
                    e.getMessage(), snapshot.text().length());
            return snapshot;
        }
    }

    static ScrapeResult fromFile(Path file) throws IOException {
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
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("corpus file " + file + " is not UTF-8 text");
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("corpus file " + file + " is empty");
        }
        log.info("Corpus: file {} ({} characters)", file, text.length());
        return ScrapeResult.fromFile(file, text);
    }
}

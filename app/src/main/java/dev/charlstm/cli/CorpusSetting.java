package dev.charlstm.cli;

import dev.charlstm.corpus.SourceText;
import dev.charlstm.corpus.TextSource;
import dev.charlstm.scrape.FaqScraper;
import dev.charlstm.scrape.ScrapeException;
import dev.charlstm.scrape.ScrapeResult;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code corpus} setting as the {@code train} command reads it: {@code default} is the live
 * FAQ page, or its bundled snapshot when the page cannot be fetched; an http(s) URL is a page to
 * scrape; anything else is a text file. This is where data preparation (scrape) meets training.
 */
final class CorpusSetting implements TextSource<ScrapeException> {

    private static final Logger log = LoggerFactory.getLogger(CorpusSetting.class);

    /** The setting that means the live FAQ, with the bundled snapshot offline. */
    static final String DEFAULT = "default";

    @Override
    public SourceText read(String setting) throws ScrapeException, IOException {
        if (DEFAULT.equals(setting)) {
            return liveOrSnapshot().sourceText();
        }
        if (setting.startsWith("http://") || setting.startsWith("https://")) {
            return FaqScraper.withDefaults().scrape(URI.create(setting)).sourceText();
        }
        return SourceText.readFile(Path.of(setting));
    }

    /** The live page with short timeouts and one attempt, so an offline machine falls back within seconds. */
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
}

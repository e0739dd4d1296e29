package dev.charlstm.cli;

import dev.charlstm.scrape.FaqScraper;
import dev.charlstm.scrape.ScrapeResult;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scrape}: fetches the FAQ page and writes its text and provenance, without training. */
@Command(name = "scrape", mixinStandardHelpOptions = true,
        description = "Fetch the FAQ page and write its text (and <out>.provenance.json) without training.")
final class ScrapeCommand implements Callable<Integer> {

    @Option(names = "--url", description = "Page to scrape (default: ${DEFAULT-VALUE}).")
    URI url = FaqScraper.DEFAULT_URL;

    @Option(names = "--out", description = "Corpus text file to write (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("data", "scraped", "faq.txt");

    @Option(names = "--snapshot", description = "Use the bundled offline snapshot instead of the network.")
    boolean snapshot;

    @Override
    public Integer call() throws Exception {
        if (!snapshot && !"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException("--url must be an http or https URL, got '" + url + "'");
        }
        ScrapeResult result = snapshot ? FaqScraper.snapshot() : FaqScraper.withDefaults().scrape(url);
        result.sourceText().write(out);
        System.out.printf("Wrote %s: %,d characters in %d entries from %s (%s), SHA-256 %s%n", out,
                result.text().length(), result.entries(), result.provenance().url(), result.provenance().source(),
                result.provenance().sha256());
        return 0;
    }
}

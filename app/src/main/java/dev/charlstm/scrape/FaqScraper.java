package dev.charlstm.scrape;

import dev.charlstm.corpus.Provenance;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import org.jsoup.nodes.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a FAQ page and turns it into corpus text: one entry per question, the question on the
 * first line and each answer paragraph or list item on a line of its own.
 *
 * <p>Instances are immutable; each setting returns a configured copy.
 *
 * <pre>{@code
 * ScrapeResult faq;
 * try {
 *     faq = FaqScraper.withDefaults().readTimeout(Duration.ofSeconds(30)).scrape(FaqScraper.DEFAULT_URL);
 * } catch (ScrapeException e) {
 *     if (!e.isNetworkUnreachable()) throw e;
 *     faq = FaqScraper.snapshot();
 * }
 * faq.sourceText().write(Path.of("data/faq.txt"));
 * }</pre>
 */
public final class FaqScraper {

    /** The UW–Madison COVID-19 FAQ. */
    public static final URI DEFAULT_URL = URI.create("https://covidresponse.wisc.edu/faq/");

    /** Sent with every request, so the site's operators can tell who is asking. */
    public static final String USER_AGENT =
            "charlstm/0.1 (+https://github.com/charlstm; character-LSTM corpus builder)";

    static final String SNAPSHOT_RESOURCE = "dev/charlstm/scrape/faq-snapshot.html";

    /** Keeps exponential backoff from growing into minutes when many attempts are configured. */
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(FaqScraper.class);

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int maxRetries;
    private final int maxBodyBytes;
    private final Duration backoff;
    private final Duration totalTimeout;

    private FaqScraper(Duration connectTimeout, Duration readTimeout, int maxRetries, int maxBodyBytes,
                       Duration backoff, Duration totalTimeout) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.maxRetries = maxRetries;
        this.maxBodyBytes = maxBodyBytes;
        this.backoff = backoff;
        this.totalTimeout = totalTimeout;
    }

    /**
     * Connect timeout 5 s, read timeout 20 s, 60 s per attempt in all, 3 attempts, bodies up to
     * 10 MB, backoff starting at 500 ms and doubling.
     */
    public static FaqScraper withDefaults() {
        return new FaqScraper(Duration.ofSeconds(5), Duration.ofSeconds(20), 3, 10 * 1024 * 1024,
                Duration.ofMillis(500), Duration.ofSeconds(60));
    }

    /** Longest wait for the TCP (and TLS) connection to be established. */
    public FaqScraper connectTimeout(Duration d) {
        return new FaqScraper(requireTimeout(d, "connectTimeout"), readTimeout, maxRetries, maxBodyBytes, backoff,
                totalTimeout);
    }

    /**
     * Longest wait for the next bytes once connected, whether the response headers or more of the
     * body; a server that goes quiet for longer fails the attempt.
     */
    public FaqScraper readTimeout(Duration d) {
        return new FaqScraper(connectTimeout, requireTimeout(d, "readTimeout"), maxRetries, maxBodyBytes, backoff,
                totalTimeout);
    }

    /**
     * Attempts in all, the first included: 1 means no retry. Only timeouts, connection failures,
     * HTTP 429 and 5xx are retried.
     */
    public FaqScraper maxRetries(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("maxRetries counts attempts and must be at least 1, got " + n);
        }
        return new FaqScraper(connectTimeout, readTimeout, n, maxBodyBytes, backoff, totalTimeout);
    }

    /** Largest (decompressed) body accepted; a larger one fails the scrape rather than being cut short. */
    public FaqScraper maxBodyBytes(int n) {
        if (n < 1 || n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxBodyBytes must be between 1 and " + (Integer.MAX_VALUE - 8)
                    + ", got " + n);
        }
        return new FaqScraper(connectTimeout, readTimeout, maxRetries, n, backoff, totalTimeout);
    }

    /** Wait before the first retry; each further retry waits twice as long, at most 30 s. */
    public FaqScraper backoff(Duration initial) {
        Objects.requireNonNull(initial, "backoff");
        if (initial.isNegative()) {
            throw new IllegalArgumentException("backoff must not be negative, got " + initial);
        }
        return new FaqScraper(connectTimeout, readTimeout, maxRetries, maxBodyBytes, initial, totalTimeout);
    }

    /**
     * Longest time one attempt may take from connecting to the last byte, redirects included. The
     * read timeout only bounds each wait for bytes, so without this a server sending a byte now
     * and then would hold a scrape for as long as it liked.
     */
    public FaqScraper totalTimeout(Duration d) {
        return new FaqScraper(connectTimeout, readTimeout, maxRetries, maxBodyBytes, backoff,
                requireTimeout(d, "totalTimeout"));
    }

    /** Scrapes {@link #DEFAULT_URL}. */
    public ScrapeResult scrape() throws ScrapeException {
        return scrape(DEFAULT_URL);
    }

    /**
     * Fetches {@code url} (following redirects) and extracts its FAQ text.
     *
     * @throws ScrapeException when the page cannot be fetched or holds no FAQ text; the message
     *                         is one line starting with {@code url}
     */
    public ScrapeResult scrape(URI url) throws ScrapeException {
        requireHttpUrl(url);
        FetchedPage page = fetchWithRetries(url);
        String finalUrl = page.url().toString();
        Document doc = HtmlDecoder.decode(page.body(), page.contentType(), finalUrl);
        FaqExtractor.Extraction extraction = FaqExtractor.extract(doc, finalUrl);
        if (extraction.isEmpty()) {
            throw new ScrapeException(url, "no FAQ text found", false, null);
        }
        String text = extraction.text();
        Provenance provenance =
                Provenance.of("live", finalUrl, page.fetchedAt(), page.status(), page.contentType(), text);
        log.info("Fetched {} (HTTP {}, {} bytes, {} entries from the {})", finalUrl, page.status(),
                page.body().length, extraction.entries().size(), extraction.report().shape().description());
        return new ScrapeResult(text, provenance, extraction.entries().size(), extraction.report());
    }

    /**
     * The FAQ as bundled with charlstm ({@code classpath:dev/charlstm/scrape/faq-snapshot.html}), run
     * through the same extractor as a live page; for training without network access.
     *
     * <pre>{@code
     * ScrapeResult offline = FaqScraper.snapshot();
     * }</pre>
     *
     * @throws IllegalStateException if the snapshot is missing or holds no FAQ text (a broken build)
     */
    public static ScrapeResult snapshot() {
        byte[] html;
        try (InputStream in = FaqScraper.class.getClassLoader().getResourceAsStream(SNAPSHOT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the bundled FAQ snapshot " + SNAPSHOT_RESOURCE
                        + " is missing from the classpath");
            }
            html = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled FAQ snapshot " + SNAPSHOT_RESOURCE, e);
        }
        String url = "classpath:" + SNAPSHOT_RESOURCE;
        // No header to go by: the snapshot's own <meta charset> decides, as for a saved page.
        Document doc = HtmlDecoder.decode(html, null, DEFAULT_URL.toString());
        FaqExtractor.Extraction extraction = FaqExtractor.extract(doc, url);
        if (extraction.isEmpty()) {
            throw new IllegalStateException(url + ": no FAQ text found in the bundled snapshot");
        }
        String text = extraction.text();
        Instant readAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Provenance provenance = Provenance.of("snapshot", url, readAt, 200, "text/html", text);
        log.info("Read {} ({} bytes, {} entries from the {})", url, html.length, extraction.entries().size(),
                extraction.report().shape().description());
        return new ScrapeResult(text, provenance, extraction.entries().size(), extraction.report());
    }

    private FetchedPage fetchWithRetries(URI url) throws ScrapeException {
        PageFetcher fetcher = new PageFetcher(connectTimeout, readTimeout, totalTimeout, maxBodyBytes, USER_AGENT);
        for (int attempt = 1; ; attempt++) {
            try {
                return fetcher.fetch(url);
            } catch (FetchFailure failure) {
                if (!failure.retryable() || attempt == maxRetries) {
                    String what = attempt == 1
                            ? failure.getMessage()
                            : failure.getMessage() + "; gave up after " + attempt + " attempts";
                    throw new ScrapeException(url, what, failure.networkUnreachable(), failure);
                }
                Duration wait = backoffBefore(attempt + 1);
                log.warn("{}: {} (attempt {} of {}); retrying in {}", url, failure.getMessage(), attempt, maxRetries,
                        Units.duration(wait));
                sleep(url, wait);
            }
        }
    }

    /** Backoff before {@code attempt} (2 or later): initial, then doubling, capped. */
    private Duration backoffBefore(int attempt) {
        Duration wait = backoff;
        for (int i = 2; i < attempt && wait.compareTo(MAX_BACKOFF) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }

    private static void sleep(URI url, Duration wait) throws ScrapeException {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScrapeException(url, "interrupted while waiting to retry", false, e);
        }
    }

    private static Duration requireTimeout(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero() || d.toMillis() < 1 || d.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be between 1 ms and " + Integer.MAX_VALUE
                    + " ms, got " + d);
        }
        return d;
    }

    private static void requireHttpUrl(URI url) {
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new IllegalArgumentException("url must be an absolute http(s) URL with a host, got " + url);
        }
    }

    @Override
    public String toString() {
        return "FaqScraper[connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout + ", maxRetries="
                + maxRetries + ", maxBodyBytes=" + maxBodyBytes + ", backoff=" + backoff + ", totalTimeout="
                + totalTimeout + "]";
    }
}

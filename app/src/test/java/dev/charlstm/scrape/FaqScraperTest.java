package dev.charlstm.scrape;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.charlstm.corpus.Provenance;
import dev.charlstm.io.Digests;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class FaqScraperTest {

    static final String HTML = "text/html; charset=UTF-8";

    static final String H2_TEXT = """
            Where can I get a test?
            Free tests are offered at the campus testing sites, no appointment needed.
            Bring your Wiscard.
            Results arrive by email:
            usually within 24 hours;
            sometimes within 48 hours.

            Do I need to wear a mask “indoors”?
            Masks are optional in most buildings — check signs at the door.
            Clinics still require them.
            So do campus buses.
            """;

    static final String LATIN1_TEXT = """
            Is the café open?
            Yes, it’s open for take-out: crème brûlée included.
            """;

    private FixtureServer server;

    /** Short timeouts and backoff so that failure paths cost milliseconds, not seconds. */
    private final FaqScraper fast = FaqScraper.withDefaults()
            .connectTimeout(Duration.ofMillis(300))
            .readTimeout(Duration.ofMillis(300))
            .backoff(Duration.ofMillis(10));

    @BeforeEach
    void startServer() throws IOException {
        server = new FixtureServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void scrapesAccordionPageWithH2Headers() throws Exception {
        server.fixture("/faq/", HTML, "faq-h2.html");

        ScrapeResult result = fast.scrape(server.uri("/faq/"));

        assertThat(result.text()).isEqualTo(H2_TEXT);
        assertThat(result.entries()).isEqualTo(2);
        assertThat(result.extraction().shape()).isEqualTo(ExtractionReport.Shape.ACCORDION);
        Provenance p = result.provenance();
        assertThat(p.source()).isEqualTo("live");
        assertThat(p.url()).isEqualTo(server.uri("/faq/").toString());
        assertThat(p.httpStatus()).isEqualTo(200);
        assertThat(p.contentType()).isEqualTo(HTML);
        assertThat(p.chars()).isEqualTo(H2_TEXT.length());
        assertThat(p.sha256()).isEqualTo(Digests.sha256Hex(H2_TEXT));
        assertThat(server.hits("/faq/")).isEqualTo(1);
    }

    @Test
    void sendsTheCharlstmUserAgent() throws Exception {
        server.fixture("/faq/", HTML, "faq-h2.html");

        fast.scrape(server.uri("/faq/"));

        assertThat(server.lastRequestHeaders("/faq/").getFirst("User-Agent")).isEqualTo(FaqScraper.USER_AGENT)
                .isEqualTo("charlstm/0.1 (+https://github.com/charlstm; character-LSTM corpus builder)");
    }

    @Test
    void scrapesAccordionVariantWithH3HeadersAndScriptInitialisedButtons() throws Exception {
        server.fixture("/faq/", HTML, "faq-h3.html");

        ScrapeResult result = fast.scrape(server.uri("/faq/"));

        assertThat(result.text()).isEqualTo("""
                Is testing required?
                Only for people who live in the residence halls.

                How much does a test cost?
                Nothing.
                Insurance is not billed.

                Where can I get vaccinated?
                At University Health Services, by appointment.
                """);
        assertThat(result.entries()).isEqualTo(3);
        assertThat(result.extraction().shape()).isEqualTo(ExtractionReport.Shape.ACCORDION);
    }

    @Test
    void removesBadgesScreenReaderTextLastUpdatedNotesAndWidgets() throws Exception {
        server.fixture("/faq/", HTML, "faq-noisy.html");

        ScrapeResult result = fast.scrape(server.uri("/faq/"));

        assertThat(result.text()).isEqualTo("""
                Can I move out early?
                Yes. Contact housing@example.edu first.
                Return your keys.
                Take everything with you.

                Will I get a refund?
                A prorated one, within 30 days.
                """);
        assertThat(result.text()).doesNotContain("Updated", "Last updated", "opens panel", "accordion element",
                "Expand all", "Filter", "Search", "Show all", "trackPanel", "font-weight", "JavaScript", "dataLayer");
    }

    @Test
    void fallsBackToMainContentWhenThereIsNoAccordionAndSaysSo() throws Exception {
        server.fixture("/faq/", HTML, "faq-no-accordion.html");
        Logger extractorLog = (Logger) LoggerFactory.getLogger(FaqExtractor.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        extractorLog.addAppender(logged);
        ScrapeResult result;
        try {
            result = fast.scrape(server.uri("/faq/"));
        } finally {
            extractorLog.detachAppender(logged);
        }

        assertThat(result.extraction().shape()).isEqualTo(ExtractionReport.Shape.MAIN_CONTENT);
        assertThat(result.text()).isEqualTo("""
                When does the semester start?
                Classes begin on January 25.

                Which buildings are open?
                Libraries, with reduced hours:
                College Library until 8 pm.
                The Union.
                """);
        assertThat(result.entries()).isEqualTo(2);
        assertThat(logged.list).anySatisfy(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains("accordion", "fell back", server.uri("/faq/").toString());
        });
    }

    @Test
    void failsAtOnceOn404() {
        server.page("/missing/", 404, HTML, "<html><body><p>Not here</p></body></html>".getBytes(UTF_8));
        URI url = server.uri("/missing/");

        ScrapeException e = catchThrowableOfType(ScrapeException.class, () -> fast.scrape(url));

        assertThat(e.getMessage()).isEqualTo(url + ": HTTP 404 Not Found");
        assertThat(e.isNetworkUnreachable()).isFalse();
        assertThat(server.hits("/missing/")).isEqualTo(1);
    }

    @Test
    void retriesAfter500AndSucceeds() throws Exception {
        byte[] page = FixtureServer.resource("faq-h2.html");
        server.on("/flaky/", (exchange, hit) ->
                FixtureServer.send(exchange, hit == 1 ? 500 : 200, HTML, hit == 1 ? new byte[0] : page));

        ScrapeResult result = fast.scrape(server.uri("/flaky/"));

        assertThat(result.text()).isEqualTo(H2_TEXT);
        assertThat(server.hits("/flaky/")).isEqualTo(2);
    }

    @Test
    void retriesAfter429() throws Exception {
        byte[] page = FixtureServer.resource("faq-h2.html");
        server.on("/busy/", (exchange, hit) ->
                FixtureServer.send(exchange, hit < 3 ? 429 : 200, HTML, hit < 3 ? new byte[0] : page));

        assertThat(fast.scrape(server.uri("/busy/")).entries()).isEqualTo(2);
        assertThat(server.hits("/busy/")).isEqualTo(3);
    }

    @Test
    void givesUpAfterMaxRetriesAttemptsOfPersistent500() {
        server.page("/down/", 500, HTML, new byte[0]);
        URI url = server.uri("/down/");

        ScrapeException e = catchThrowableOfType(ScrapeException.class, () -> fast.maxRetries(4).scrape(url));

        assertThat(e.getMessage()).isEqualTo(url + ": HTTP 500 Internal Server Error; gave up after 4 attempts");
        assertThat(e.isNetworkUnreachable()).isFalse();
        assertThat(server.hits("/down/")).isEqualTo(4);
    }

    @Test
    void defaultIsThreeAttempts() {
        server.page("/down/", 503, HTML, new byte[0]);

        assertThatThrownBy(() -> fast.scrape(server.uri("/down/"))).isInstanceOf(ScrapeException.class)
                .hasMessageEndingWith("; gave up after 3 attempts");
        assertThat(server.hits("/down/")).isEqualTo(3);
    }

    @Test
    void timesOutOnASlowResponse() {
        server.on("/slow/", (exchange, hit) -> {
            Thread.sleep(5_000);
            FixtureServer.send(exchange, 200, HTML, FixtureServer.resource("faq-h2.html"));
        });
        URI url = server.uri("/slow/");
        long start = System.nanoTime();

        ScrapeException e = catchThrowableOfType(ScrapeException.class, () -> fast.maxRetries(1).scrape(url));

        assertThat(e.getMessage()).isEqualTo(url + ": timed out after 300 ms");
        assertThat(e.isNetworkUnreachable()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void timesOutWhenTheBodyStallsHalfway() {
        server.on("/stall/", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Content-Type", HTML);
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("<html><body><div class=\"uw-accordion\">".getBytes(UTF_8));
            out.flush();
            Thread.sleep(5_000);
        });
        URI url = server.uri("/stall/");

        ScrapeException e = catchThrowableOfType(ScrapeException.class, () -> fast.maxRetries(2).scrape(url));

        assertThat(e.getMessage()).isEqualTo(url + ": timed out after 300 ms; gave up after 2 attempts");
        assertThat(server.hits("/stall/")).isEqualTo(2);
    }

    @Test
    void rejectsABodyOverTheLimitWhetherDeclaredOrStreamed() {
        byte[] big = new byte[100 * 1024];
        Arrays.fill(big, (byte) 'x');
        server.page("/declared/", 200, HTML, big);
        server.on("/streamed/", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Content-Type", HTML);
            exchange.sendResponseHeaders(200, 0); // chunked: no length to check up front
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(big);
            }
        });
        FaqScraper limited = fast.maxBodyBytes(16 * 1024);

        for (String path : new String[] {"/declared/", "/streamed/"}) {
            URI url = server.uri(path);
            ScrapeException e = catchThrowableOfType(ScrapeException.class, () -> limited.scrape(url));
            assertThat(e.getMessage()).isEqualTo(url + ": response body exceeds 16 KB limit");
            assertThat(server.hits(path)).isEqualTo(1);
        }
    }

    @Test
    void defaultBodyLimitIsTenMegabytes() {
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) ' ');
        server.on("/huge/", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Content-Type", HTML);
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 11 * 16; i++) { // 11 MB
                    out.write(chunk);
                }
            }
        });
        URI url = server.uri("/huge/");

        ScrapeException e = catchThrowableOfType(ScrapeException.class, () -> fast.scrape(url));

        assertThat(e.getMessage()).isEqualTo(url + ": response body exceeds 10 MB limit");
    }

    @Test
    void acceptsABodyExactlyAtTheLimit() throws Exception {
        byte[] page = FixtureServer.resource("faq-h2.html");
        server.page("/faq/", 200, HTML, page);

        assertThat(fast.maxBodyBytes(page.length).scrape(server.uri("/faq/")).text()).isEqualTo(H2_TEXT);
    }

    @Test
    void honoursTheCharsetOfTheContentTypeHeader() throws Exception {
        server.fixture("/latin1/", "text/html; charset=ISO-8859-1", "latin1-no-meta.html");

        assertThat(fast.scrape(server.uri("/latin1/")).text()).isEqualTo(LATIN1_TEXT);
    }

    @Test
    void honoursMetaCharsetWhenTheHeaderHasNone() throws Exception {
        server.fixture("/latin1/", "text/html", "latin1-meta.html");

        assertThat(fast.scrape(server.uri("/latin1/")).text()).isEqualTo(LATIN1_TEXT);
    }

    @Test
    void withNeitherHeaderNorMetaCharsetBytesAreReadAsUtf8() throws Exception {
        // The control case: shows the two tests above pass because of the charset, not by luck.
        server.fixture("/latin1/", "text/html", "latin1-no-meta.html");

        assertThat(fast.scrape(server.uri("/latin1/")).text()).contains("\uFFFD").doesNotContain("café");
    }

    @Test
    void decompressesAGzipBody() throws Exception {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
            gzip.write(FixtureServer.resource("faq-h2.html"));
        }
        server.on("/gz/", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
            FixtureServer.send(exchange, 200, HTML, zipped.toByteArray());
        });

        assertThat(fast.scrape(server.uri("/gz/")).text()).isEqualTo(H2_TEXT);
        assertThat(server.lastRequestHeaders("/gz/").getFirst("Accept-Encoding")).contains("gzip");
    }

    @Test
    void rejectsNonHtmlContentNamingTheType() {
        server.page("/faq.pdf", 200, "application/pdf", "%PDF-1.4 not really".getBytes(UTF_8));
        URI url = server.uri("/faq.pdf");

        ScrapeException e = catchThrowableOfType(ScrapeException.class, () -> fast.scrape(url));

        assertThat(e.getMessage()).isEqualTo(url + ": not an HTML page (content type application/pdf)");
        assertThat(server.hits("/faq.pdf")).isEqualTo(1);
    }

    @Test
    void emptyPageHasNoFaqText() {
        server.page("/empty/", 200, HTML,
                "<!DOCTYPE html><html><head><title>Nothing</title></head><body></body></html>".getBytes(UTF_8));
        URI url = server.uri("/empty/");

        ScrapeException e = catchThrowableOfType(ScrapeException.class, () -> fast.scrape(url));

        assertThat(e.getMessage()).isEqualTo(url + ": no FAQ text found");
        assertThat(e.isNetworkUnreachable()).isFalse();
    }

    @Test
    void zeroLengthBodyHasNoFaqText() {
        server.page("/blank/", 200, HTML, new byte[0]);
        URI url = server.uri("/blank/");

        assertThatThrownBy(() -> fast.scrape(url)).isInstanceOf(ScrapeException.class)
                .hasMessage(url + ": no FAQ text found");
    }

    @Test
    void followsRedirectsAndRecordsWhereTheyEnded() throws Exception {
        server.fixture("/faq/", HTML, "faq-h2.html");
        server.on("/old-faq", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Location", "/moved"); // relative, as servers often send
            exchange.sendResponseHeaders(301, -1);
        });
        server.on("/moved", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Location", server.uri("/faq/").toString());
            exchange.sendResponseHeaders(302, -1);
        });

        ScrapeResult result = fast.scrape(server.uri("/old-faq"));

        assertThat(result.text()).isEqualTo(H2_TEXT);
        assertThat(result.provenance().url()).isEqualTo(server.uri("/faq/").toString());
        assertThat(result.provenance().httpStatus()).isEqualTo(200);
        assertThat(server.hits("/old-faq")).isEqualTo(1);
        assertThat(server.hits("/moved")).isEqualTo(1);
    }

    @Test
    void stopsFollowingARedirectLoop() {
        server.on("/loop", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Location", "/loop");
            exchange.sendResponseHeaders(302, -1);
        });
        URI url = server.uri("/loop");

        assertThatThrownBy(() -> fast.scrape(url)).isInstanceOf(ScrapeException.class)
                .hasMessage(url + ": too many redirects (more than 10)");
    }

    @Test
    void refusedConnectionIsNetworkUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + closedPort + "/faq/");

        ScrapeException e = catchThrowableOfType(ScrapeException.class, () -> fast.maxRetries(2).scrape(url));

        assertThat(e.isNetworkUnreachable()).isTrue();
        assertThat(e.getMessage())
                .startsWith(url + ": cannot connect (")
                .containsIgnoringCase("refused")
                .endsWith("; gave up after 2 attempts")
                .doesNotContain("\n");
    }

    @Test
    void rejectsUnusableUrlsAndSettingsAtTheDoor() {
        FaqScraper scraper = FaqScraper.withDefaults();
        assertThatThrownBy(() -> scraper.scrape(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> scraper.scrape(URI.create("ftp://example.org/faq")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http");
        assertThatThrownBy(() -> scraper.scrape(URI.create("/faq/"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> scraper.maxRetries(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> scraper.maxBodyBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> scraper.connectTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> scraper.readTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> scraper.readTimeout(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> scraper.backoff(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void settingsReturnConfiguredCopies() {
        FaqScraper defaults = FaqScraper.withDefaults();
        FaqScraper tuned = defaults.maxRetries(5);

        assertThat(tuned).isNotSameAs(defaults);
        assertThat(defaults.toString()).contains("maxRetries=3", "connectTimeout=PT5S", "readTimeout=PT20S",
                "maxBodyBytes=10485760", "backoff=PT0.5S");
        assertThat(tuned.toString()).contains("maxRetries=5");
    }

    @Test
    void snapshotIsTheBundledFaqThroughTheSameExtractor() {
        ScrapeResult snapshot = FaqScraper.snapshot();

        assertThat(snapshot.entries()).isGreaterThan(100);
        assertThat(snapshot.text().length()).isGreaterThan(50_000);
        assertThat(snapshot.text()).endsWith("\n").doesNotEndWith("\n\n").doesNotContain("\n\n\n");
        Provenance p = snapshot.provenance();
        assertThat(p.source()).isEqualTo("snapshot");
        assertThat(p.url()).isEqualTo("classpath:dev/charlstm/scrape/faq-snapshot.html");
        assertThat(p.httpStatus()).isEqualTo(200);
        assertThat(p.sha256()).isEqualTo(Digests.sha256Hex(snapshot.text()));
        assertThat(p.chars()).isEqualTo(snapshot.text().length());
    }

    /** The README states this hash; a change to the extractor must not change the bundled corpus silently. */
    @Test
    void snapshotKeepsItsExactCorpus() {
        ScrapeResult snapshot = FaqScraper.snapshot();

        assertThat(snapshot.provenance().sha256())
                .isEqualTo("f623f6fab222bda3336b45ecaa9d82c9f0c64c277fa09ee8c73da246c834a7b5");
        assertThat(snapshot.text()).hasSize(68_967);
        assertThat(snapshot.entries()).isEqualTo(162);
        assertThat(snapshot.extraction().shape()).isEqualTo(ExtractionReport.Shape.ACCORDION);
        // Ten "Updated" badges in question buttons, three "Last updated" stamps under answers.
        assertThat(snapshot.extraction().dropped(ChromeRule.DECORATION)).isEqualTo(10);
        assertThat(snapshot.extraction().dropped(ChromeRule.STAMP)).isEqualTo(3);
        assertThat(snapshot.extraction().dropped(ChromeRule.REPEATED)).isZero();
    }

    @Test
    void theSnapshotIsTheFallbackAndALivePageIsNot() throws Exception {
        server.fixture("/faq/", HTML, "faq-h2.html");

        assertThat(FaqScraper.snapshot().fallbackUsed()).isTrue();
        assertThat(fast.scrape(server.uri("/faq/")).fallbackUsed()).isFalse();
    }
}

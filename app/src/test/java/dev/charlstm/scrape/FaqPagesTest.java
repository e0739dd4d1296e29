package dev.charlstm.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * FAQ pages of shapes the extractor was not tuned on, served on 127.0.0.1 and scraped as a user
 * would: each page's corpus must be exactly its {@code .txt} beside it, line by line, and the
 * report must say which shape was read and how many blocks each rule dropped.
 */
class FaqPagesTest {

    private static final String HTML = "text/html; charset=UTF-8";
    private static final String DIR = "pages/";

    private FixtureServer server;
    private final FaqScraper scraper = FaqScraper.withDefaults().connectTimeout(Duration.ofMillis(500))
            .readTimeout(Duration.ofSeconds(2)).maxRetries(1);

    @BeforeEach
    void startServer() throws IOException {
        server = new FixtureServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    static Stream<Arguments> pages() {
        return Stream.of(
                // The four kinds of chrome of the issue: a filter accordion of checkboxes, an "Updated"
                // badge of an unknown class, feedback and share widgets, an aria-hidden "+" icon.
                page("uw-theme-filter-widget", ExtractionReport.Shape.ACCORDION, Map.of(
                        ChromeRule.SCREEN_READER_ONLY, 1, ChromeRule.HIDDEN, 4, ChromeRule.CONTROLS, 7,
                        ChromeRule.DECORATION, 2, ChromeRule.REPEATED, 9)),
                page("uw-theme-topics", ExtractionReport.Shape.ACCORDION, Map.of(ChromeRule.REPEATED, 4)),
                page("uw-theme-badges", ExtractionReport.Shape.ACCORDION, Map.of(
                        ChromeRule.DECORATION, 4, ChromeRule.REPEATED, 16)),
                page("covid19-wisc-legacy", ExtractionReport.Shape.MAIN_CONTENT, Map.of(
                        ChromeRule.STAMP, 4, ChromeRule.REPEATED, 4)),
                page("covid19-wisc-legacy-accordion", ExtractionReport.Shape.ACCORDION, Map.of(ChromeRule.STAMP, 3)),
                page("details-summary", ExtractionReport.Shape.DETAILS, Map.of(
                        ChromeRule.DECORATION, 1, ChromeRule.CONTROLS, 2, ChromeRule.STAMP, 2)),
                page("definition-list", ExtractionReport.Shape.DEFINITION_LIST, Map.of(ChromeRule.REPEATED, 3)),
                page("json-ld", ExtractionReport.Shape.JSON_LD, Map.of(ChromeRule.SCREEN_READER_ONLY, 1)),
                page("bootstrap-accordion", ExtractionReport.Shape.ACCORDION, Map.of(
                        ChromeRule.STAMP, 3, ChromeRule.CONTROLS, 3, ChromeRule.REPEATED, 3)),
                page("aria-widgets", ExtractionReport.Shape.ACCORDION, Map.of(
                        ChromeRule.CONTROLS, 8, ChromeRule.REPEATED, 12, ChromeRule.STAMP, 4)),
                page("mixed-content", ExtractionReport.Shape.ACCORDION, Map.of(
                        ChromeRule.SCREEN_READER_ONLY, 2, ChromeRule.HIDDEN, 1)));
    }

    private static Arguments page(String name, ExtractionReport.Shape shape, Map<ChromeRule, Integer> dropped) {
        return Arguments.of(name, shape, dropped);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pages")
    void extractsExactlyTheQuestionsAndAnswers(String name, ExtractionReport.Shape shape,
                                               Map<ChromeRule, Integer> dropped) throws Exception {
        String expected = new String(FixtureServer.resource(DIR + name + ".txt"), StandardCharsets.UTF_8);
        server.fixture("/" + name + "/", HTML, DIR + name + ".html");

        ScrapeResult result = scraper.scrape(server.uri("/" + name + "/"));

        assertThat(lines(result.text())).as("corpus lines of %s", name).containsExactlyElementsOf(lines(expected));
        assertThat(result.text()).isEqualTo(expected);
        assertThat(result.entries()).isEqualTo(ScrapeResult.countEntries(expected));
        ExtractionReport report = result.extraction();
        assertThat(report.shape()).isEqualTo(shape);
        assertThat(report.entries()).isEqualTo(result.entries());
        assertThat(report.droppedByRule()).as("blocks dropped per rule on %s", name).isEqualTo(dropped);
    }

    @Test
    void theFilterWidgetIsDroppedAsControlsNotKeptAsAQuestion() throws Exception {
        server.fixture("/faq/", HTML, DIR + "uw-theme-filter-widget.html");

        ExtractionReport report = scraper.scrape(server.uri("/faq/")).extraction();

        assertThat(report.drops()).contains(
                new ExtractionReport.Drop(ChromeRule.CONTROLS, "Audiences: Employees Students Visitors", 1),
                new ExtractionReport.Drop(ChromeRule.DECORATION, "Updated", 1),
                new ExtractionReport.Drop(ChromeRule.HIDDEN, "+", 4),
                new ExtractionReport.Drop(ChromeRule.REPEATED, "Was this answer helpful?", 3),
                new ExtractionReport.Drop(ChromeRule.REPEATED, "Share on Facebook", 3),
                new ExtractionReport.Drop(ChromeRule.REPEATED, "Share by email", 3));
    }

    @Test
    void logsTheEntriesAndWhatEachRuleDroppedAndHowOften() throws Exception {
        server.fixture("/faq/", HTML, DIR + "aria-widgets.html");
        Logger extractorLog = (Logger) LoggerFactory.getLogger(FaqExtractor.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        extractorLog.addAppender(logged);
        try {
            scraper.scrape(server.uri("/faq/"));
        } finally {
            extractorLog.detachAppender(logged);
        }

        List<String> messages = logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        String where = server.uri("/faq/").toString();
        assertThat(messages).contains(where + ": 4 entries from the accordion; dropped 24 chrome blocks: "
                + "8 controls, 4 stamp, 12 repeated");
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith(where)
                .contains("dropped 4 times by rule repeated", "\"Was this answer helpful?\""));
    }

    @Test
    void prefersTheJsonLdAndSaysSo() throws Exception {
        server.fixture("/faq/", HTML, DIR + "json-ld.html");
        Logger extractorLog = (Logger) LoggerFactory.getLogger(FaqExtractor.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        extractorLog.addAppender(logged);
        ScrapeResult result;
        try {
            result = scraper.scrape(server.uri("/faq/"));
        } finally {
            extractorLog.detachAppender(logged);
        }

        // The visible accordion carries a "Hot" ribbon and a "Rate this answer" line; the JSON-LD has neither.
        assertThat(result.text()).doesNotContain("Hot", "Rate this answer");
        assertThat(logged.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                .contains("FAQPage JSON-LD", "3 questions", "most reliable"));
    }

    private static List<String> lines(String text) {
        return Arrays.asList(text.split("\n", -1));
    }
}

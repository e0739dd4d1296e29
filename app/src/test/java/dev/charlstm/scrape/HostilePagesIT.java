package dev.charlstm.scrape;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pages written to hurt a scraper, served on loopback: bounded time and memory, and a one-line
 * error naming the URL, never a hang, a StackOverflowError or an OutOfMemoryError. The pages are
 * generated as they are sent, so the test itself never holds them in memory.
 */
class HostilePagesIT {

    private static final String HTML = "text/html; charset=UTF-8";
    private static final String FAQ_ENTRY = "<h2 class=\"uw-accordion-header\">Where can I get a test?</h2>"
            + "<div class=\"uw-accordion-panel\"><div class=\"uw-accordion-panel-inner\"><p>At the campus sites.</p>"
            + "</div></div>";

    private FixtureServer server;
    private final FaqScraper fast = FaqScraper.withDefaults().connectTimeout(Duration.ofMillis(500))
            .readTimeout(Duration.ofSeconds(2)).backoff(Duration.ofMillis(10)).maxRetries(1);

    @BeforeEach
    void startServer() throws IOException {
        server = new FixtureServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void hundredThousandNestedDivsParseWithoutStackOverflow() throws Exception {
        int depth = 100_000;
        server.on("/deep/", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Content-Type", HTML);
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(("<html><body><main>" + FAQ_ENTRY).getBytes(UTF_8));
                byte[] open = "<div>".repeat(1000).getBytes(UTF_8);
                byte[] close = "</div>".repeat(1000).getBytes(UTF_8);
                for (int i = 0; i < depth / 1000; i++) {
                    out.write(open);
                }
                out.write("<p>deep down</p>".getBytes(UTF_8));
                for (int i = 0; i < depth / 1000; i++) {
                    out.write(close);
                }
                out.write("</main></body></html>".getBytes(UTF_8));
            }
        });

        ScrapeResult result = fast.scrape(server.uri("/deep/"));

        assertThat(result.text()).contains("Where can I get a test?").contains("At the campus sites.");
    }

    /**
     * Every rule looks for the outermost matches in one pass: asking each of 50,000 nested
     * matches for its ancestors would take 50,000 walks of up to 50,000 steps.
     */
    @Test
    void fiftyThousandNestedWidgetsInAnAnswerAreReadInOnePass() throws Exception {
        int depth = 50_000; // four nests of this depth stay under the 10 MB body limit
        String[][] nests = {{"<span class=\"sr-only\">", "</span>"}, {"<span aria-hidden=\"true\">", "</span>"},
                {"<b>", "</b>"}, {"<details><summary>s</summary>", "</details>"}};
        server.on("/nested/", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Content-Type", HTML);
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(("<html><body><main><h2 class=\"uw-accordion-header\">Deep?</h2>"
                        + "<div class=\"uw-accordion-panel\"><p>Yes, very.</p>").getBytes(UTF_8));
                for (String[] nest : nests) {
                    out.write(nest[0].repeat(depth).getBytes(UTF_8));
                    out.write("x".getBytes(UTF_8));
                    out.write(nest[1].repeat(depth).getBytes(UTF_8));
                }
                out.write("</div></main></body></html>".getBytes(UTF_8));
            }
        });

        ScrapeResult result = fast.scrape(server.uri("/nested/"));

        assertThat(result.text()).startsWith("Deep?\nYes, very.\n");
        assertThat(result.extraction().dropped(ChromeRule.SCREEN_READER_ONLY)).isEqualTo(1);
        assertThat(result.extraction().dropped(ChromeRule.HIDDEN)).isEqualTo(1);
    }

    @Test
    void fiftyMegabyteBodyStopsAtTheLimitWithoutReadingItAll() {
        long fifty = 50L << 20;
        AtomicLong sent = new AtomicLong();
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        for (boolean declared : new boolean[] {true, false}) {
            String path = declared ? "/declared/" : "/chunked/";
            server.on(path, (exchange, hit) -> {
                exchange.getResponseHeaders().set("Content-Type", HTML);
                exchange.sendResponseHeaders(200, declared ? fifty : 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    for (long n = 0; n < fifty; n += chunk.length) {
                        out.write(chunk);
                        sent.addAndGet(chunk.length);
                    }
                }
            });
        }
        for (String path : new String[] {"/declared/", "/chunked/"}) {
            sent.set(0);
            URI url = server.uri(path);
            ScrapeException e = catchThrowableOfType(ScrapeException.class, () -> fast.scrape(url));
            assertThat(e).hasMessage(url + ": response body exceeds 10 MB limit");
            // The server stops when the client hangs up; socket buffers account for the slack.
            assertThat(sent.get()).as(path + " bytes sent").isLessThan(20L << 20);
        }
    }

    @Test
    void pageThatNeverFinishesEndsAtTheTotalDeadline() {
        server.on("/trickle/", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Content-Type", HTML);
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("<html><body>".getBytes(UTF_8));
            while (true) { // a byte every 100 ms, well inside the read timeout, forever
                out.write(' ');
                out.flush();
                Thread.sleep(100);
            }
        });
        URI url = server.uri("/trickle/");

        ScrapeException e = catchThrowableOfType(ScrapeException.class,
                () -> fast.totalTimeout(Duration.ofSeconds(1)).scrape(url));

        assertThat(e).hasMessage(url + ": did not finish within 1 s");
    }

    @Test
    void defaultTotalTimeoutIsOneMinute() {
        assertThat(FaqScraper.withDefaults().toString()).contains("totalTimeout=PT1M");
    }

    @Test
    void unknownOrMissingCharsetStillDecodes() throws Exception {
        byte[] page = ("<html><body><main>" + FAQ_ENTRY + "</main></body></html>").getBytes(UTF_8);
        String[] contentTypes = {"text/html; charset=no-such-charset", "text/html; charset=", "text/html; charset=\"\"",
                "text/html", "text/html; charset=utf-16"};
        for (int i = 0; i < contentTypes.length; i++) {
            server.page("/charset-" + i + "/", 200, contentTypes[i], page);
        }
        server.page("/meta/", 200, "text/html",
                ("<html><head><meta charset=\"x-bogus\"></head><body><main>" + FAQ_ENTRY + "</main></body></html>")
                        .getBytes(UTF_8));
        for (int i = 0; i < contentTypes.length; i++) {
            URI url = server.uri("/charset-" + i + "/");
            String outcome = outcome(url);
            assertThat(outcome).as(contentTypes[i]).satisfiesAnyOf(
                    o -> assertThat(o).contains("Where can I get a test?"),
                    o -> assertThat(o).startsWith(url + ": ").doesNotContain("\n"));
        }
        assertThat(outcome(server.uri("/meta/"))).contains("Where can I get a test?");
    }

    @Test
    void redirectLoopsEndWithOneLine() {
        server.on("/a/", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Location", "/b/");
            exchange.sendResponseHeaders(302, -1);
        });
        server.on("/b/", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Location", "/a/");
            exchange.sendResponseHeaders(301, -1);
        });
        URI url = server.uri("/a/");

        ScrapeException e = catchThrowableOfType(ScrapeException.class, () -> fast.scrape(url));

        assertThat(e).hasMessage(url + ": too many redirects (more than 10)");
        assertThat(server.hits("/a/") + server.hits("/b/")).isEqualTo(11);
    }

    /** The scraped text, or the error message: either way a string to check. */
    private String outcome(URI url) {
        try {
            return fast.scrape(url).text();
        } catch (ScrapeException e) {
            return e.getMessage();
        }
    }
}

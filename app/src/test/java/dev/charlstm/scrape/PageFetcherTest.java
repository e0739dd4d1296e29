package dev.charlstm.scrape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PageFetcher against a real server on 127.0.0.1: what it returns, which redirects it follows, and
 * the exact one-line reason and retry verdict of every way a fetch can fail.
 */
class PageFetcherTest {

    private static final byte[] PAGE = "<html><body><p>Hello</p></body></html>".getBytes(StandardCharsets.UTF_8);
    private static final String HTML = "text/html; charset=utf-8";

    private final FixtureServer server = newServer();
    /** Generous network timeouts, a 1 KB body limit. */
    private final PageFetcher fetcher = fetcher(Duration.ofSeconds(5), Duration.ofSeconds(10), 1024);

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void returnsTheBodyStatusAndContentTypeAndSendsItsHeaders() throws Exception {
        server.page("/faq", 200, HTML, PAGE);
        FetchedPage page = fetcher.fetch(server.uri("/faq"));
        assertThat(page.url()).isEqualTo(server.uri("/faq"));
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).isEqualTo(HTML);
        assertThat(page.body()).isEqualTo(PAGE);
        assertThat(page.fetchedAt()).isNotNull();
        assertThat(server.lastRequestHeaders("/faq").getFirst("User-Agent")).isEqualTo("charlstm-test");
        assertThat(server.lastRequestHeaders("/faq").getFirst("Accept-Encoding")).isEqualTo("gzip");
        assertThat(server.lastRequestHeaders("/faq").getFirst("Accept")).startsWith("text/html");
    }

    @Test
    void aPageWithoutAContentTypeIsStillReadAndXhtmlCounts() throws Exception {
        server.page("/bare", 200, null, PAGE);
        server.page("/xhtml", 200, "application/xhtml+xml", PAGE);
        assertThat(fetcher.fetch(server.uri("/bare")).body()).isEqualTo(PAGE);
        assertThat(fetcher.fetch(server.uri("/xhtml")).body()).isEqualTo(PAGE);
    }

    @Test
    void followsEveryKindOfRedirectIncludingRelativeOnesAndReportsWhereItEnded() throws Exception {
        server.on("/a", (exchange, hit) -> redirect(exchange, 301, "/b"));
        server.on("/b", (exchange, hit) -> redirect(exchange, 302, "c"));
        server.on("/c", (exchange, hit) -> redirect(exchange, 303, server.uri("/d").toString()));
        server.on("/d", (exchange, hit) -> redirect(exchange, 307, "/e"));
        server.on("/e", (exchange, hit) -> redirect(exchange, 308, "  /final  "));
        server.page("/final", 200, HTML, PAGE);
        FetchedPage page = fetcher.fetch(server.uri("/a"));
        assertThat(page.url()).isEqualTo(server.uri("/final"));
        assertThat(page.body()).isEqualTo(PAGE);
        for (String path : new String[] {"/a", "/b", "/c", "/d", "/e", "/final"}) {
            assertThat(server.hits(path)).as(path).isEqualTo(1);
        }
    }

    @Test
    void tenRedirectsAreFollowedButNotEleven() throws Exception {
        server.on("/hop", (exchange, hit) -> redirect(exchange, 302, "/hop"));
        FetchFailure failure = failure(server.uri("/hop"));
        assertThat(failure).hasMessage("too many redirects (more than 10)");
        assertThat(failure.retryable()).isFalse();
        assertThat(server.hits("/hop")).isEqualTo(PageFetcher.MAX_REDIRECTS + 1);

        server.on("/ten", (exchange, hit) -> {
            if (hit <= PageFetcher.MAX_REDIRECTS) {
                redirect(exchange, 302, "/ten");
            } else {
                FixtureServer.send(exchange, 200, HTML, PAGE);
            }
        });
        assertThat(fetcher.fetch(server.uri("/ten")).body()).isEqualTo(PAGE);
    }

    @Test
    void aRedirectWithoutALocationOrToANonHttpSchemeIsPermanent() throws Exception {
        server.on("/nowhere", (exchange, hit) -> FixtureServer.send(exchange, 302, null, new byte[0]));
        server.on("/ftp", (exchange, hit) -> redirect(exchange, 301, "ftp://127.0.0.1/faq"));
        server.on("/bad", (exchange, hit) -> redirect(exchange, 301, "http://[not a uri"));
        assertThat(failure(server.uri("/nowhere"))).hasMessage("HTTP 302 redirect without a Location header");
        assertThat(failure(server.uri("/ftp"))).hasMessage("redirected to a non-HTTP location ftp://127.0.0.1/faq");
        FetchFailure bad = failure(server.uri("/bad"));
        assertThat(bad).hasMessage("redirected to an invalid location \"http://[not a uri\"");
        assertThat(bad.retryable()).isFalse();
    }

    @Test
    void clientErrorsArePermanentAndServerErrorsOr429AreWorthRetrying() throws Exception {
        int[] statuses = {404, 403, 410, 429, 500, 503};
        // The reason phrase is the server's: the JDK's test server sends none for 429, and then the
        // message is the bare status.
        String[] reasons = {"Not Found", "Forbidden", "Gone", "", "Internal Server Error", "Service Unavailable"};
        boolean[] retryable = {false, false, false, true, true, true};
        for (int i = 0; i < statuses.length; i++) {
            int status = statuses[i];
            server.page("/s" + status, status, HTML, PAGE);
            FetchFailure failure = failure(server.uri("/s" + status));
            assertThat(failure).as("status %d", status).hasMessage(("HTTP " + status + " " + reasons[i]).strip());
            assertThat(failure.retryable()).as("status %d", status).isEqualTo(retryable[i]);
            assertThat(failure.networkUnreachable()).isFalse();
        }
    }

    @Test
    void aResponseThatIsNotHtmlIsRefusedByItsMediaType() throws Exception {
        server.page("/pdf", 200, "application/pdf", PAGE);
        server.page("/json", 200, "Application/JSON; charset=utf-8", PAGE);
        assertThat(failure(server.uri("/pdf"))).hasMessage("not an HTML page (content type application/pdf)");
        assertThat(failure(server.uri("/json"))).hasMessage("not an HTML page (content type Application/JSON)");
        assertThat(PageFetcher.mediaType(" Text/HTML ; charset=latin1")).isEqualTo("text/html");
    }

    @Test
    void aBodyAtTheLimitIsReadAndOneByteMoreIsRefusedWithOrWithoutADeclaredLength() throws Exception {
        byte[] exactly = filled(1024);
        byte[] over = filled(1025);
        server.page("/exact", 200, HTML, exactly);
        server.page("/declared", 200, HTML, over);
        server.on("/chunked", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Content-Type", HTML);
            exchange.sendResponseHeaders(200, 0); // no Content-Length: chunked
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(over);
            }
        });
        assertThat(fetcher.fetch(server.uri("/exact")).body()).isEqualTo(exactly);
        assertThat(failure(server.uri("/declared"))).hasMessage("response body exceeds 1 KB limit");
        FetchFailure chunked = failure(server.uri("/chunked"));
        assertThat(chunked).hasMessage("response body exceeds 1 KB limit");
        assertThat(chunked.retryable()).isFalse();
    }

    @Test
    void gzipIsDecodedAndItsDecodedSizeIsWhatTheLimitBounds() throws Exception {
        server.on("/gz", (exchange, hit) -> gzipped(exchange, PAGE));
        assertThat(fetcher.fetch(server.uri("/gz")).body()).isEqualTo(PAGE);

        // 100 KB of one letter compresses to a few hundred bytes: under the limit on the wire, far over it decoded.
        byte[] big = filled(100 * 1024);
        server.on("/bomb", (exchange, hit) -> gzipped(exchange, big));
        assertThat(failure(server.uri("/bomb"))).hasMessage("response body exceeds 1 KB limit");
    }

    @Test
    void anUnknownOrBrokenContentEncodingIsPermanent() throws Exception {
        server.on("/br", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Content-Encoding", "br");
            FixtureServer.send(exchange, 200, HTML, PAGE);
        });
        server.on("/broken", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
            FixtureServer.send(exchange, 200, HTML, PAGE); // not gzip at all
        });
        assertThat(failure(server.uri("/br")))
                .hasMessage("cannot decompress the response body (unsupported content encoding br)");
        FetchFailure broken = failure(server.uri("/broken"));
        assertThat(broken).hasMessage("cannot decompress the response body (not in GZIP format)");
        assertThat(broken.retryable()).isFalse();
    }

    @Test
    void aServerThatStopsSendingHitsTheReadTimeout() throws Exception {
        PageFetcher quick = fetcher(Duration.ofMillis(300), Duration.ofSeconds(10), 1024);
        server.on("/silent", (exchange, hit) -> Thread.sleep(5_000));
        FetchFailure failure = catchThrowableOfType(FetchFailure.class, () -> quick.fetch(server.uri("/silent")));
        assertThat(failure).hasMessage("timed out after 300 ms");
        assertThat(failure.retryable()).isTrue();
        assertThat(failure.networkUnreachable()).isFalse();
    }

    @Test
    void aTrickleThatNeverTripsTheReadTimeoutStillEndsAtTheTotalDeadline() throws Exception {
        PageFetcher bounded = fetcher(Duration.ofSeconds(2), Duration.ofSeconds(1), 1024);
        server.on("/trickle", (exchange, hit) -> {
            exchange.getResponseHeaders().set("Content-Type", HTML);
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            for (int i = 0; i < 100; i++) {
                out.write('x');
                out.flush();
                Thread.sleep(100);
            }
        });
        long start = System.nanoTime();
        FetchFailure failure = catchThrowableOfType(FetchFailure.class, () -> bounded.fetch(server.uri("/trickle")));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(failure).hasMessage("did not finish within 1 s");
        assertThat(failure.retryable()).isTrue();
        assertThat(millis).isBetween(900L, 5_000L);
    }

    @Test
    void aPortNobodyListensOnIsUnreachable() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        FetchFailure failure = failure(URI.create("http://127.0.0.1:" + port + "/faq"));
        assertThat(failure).hasMessage("cannot connect (connection refused)");
        assertThat(failure.networkUnreachable()).isTrue();
        assertThat(failure.retryable()).isTrue();
    }

    @Test
    void detailTurnsAnExceptionIntoALowerCasePhrase() {
        assertThat(PageFetcher.detail(new IOException("Connection refused"))).isEqualTo("connection refused");
        assertThat(PageFetcher.detail(new IOException("  HTTP/2 stream reset "))).isEqualTo("HTTP/2 stream reset");
        assertThat(PageFetcher.detail(new IOException("A"))).isEqualTo("A");
        assertThat(PageFetcher.detail(new IOException())).isEqualTo("IOException");
        assertThat(PageFetcher.detail(new IOException(" "))).isEqualTo("IOException");
    }

    private FetchFailure failure(URI uri) {
        FetchFailure failure = catchThrowableOfType(FetchFailure.class, () -> fetcher.fetch(uri));
        assertThat(failure).as("fetching %s", uri).isNotNull();
        return failure;
    }

    private static PageFetcher fetcher(Duration read, Duration total, int maxBytes) {
        return new PageFetcher(Duration.ofSeconds(2), read, total, maxBytes, "charlstm-test");
    }

    private static void redirect(HttpExchange exchange, int status, String location)
            throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        FixtureServer.send(exchange, status, null, new byte[0]);
    }

    private static void gzipped(HttpExchange exchange, byte[] body) throws IOException {
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(packed)) {
            gz.write(body);
        }
        exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        FixtureServer.send(exchange, 200, HTML, packed.toByteArray());
    }

    private static byte[] filled(int n) {
        byte[] body = new byte[n];
        Arrays.fill(body, (byte) 'a');
        return body;
    }

    private static FixtureServer newServer() {
        try {
            return new FixtureServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

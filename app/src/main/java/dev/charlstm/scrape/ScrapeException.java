package dev.charlstm.scrape;

import java.net.URI;
import java.util.Objects;

/**
 * A FAQ page could not be turned into corpus text. The message is one line that starts with the
 * URL and says what happened, e.g. {@code "https://x/faq/: HTTP 404 Not Found"}.
 *
 * <pre>{@code
 * try {
 *     result = scraper.scrape(url);
 * } catch (ScrapeException e) {
 *     if (!e.isNetworkUnreachable()) throw e;
 *     result = FaqScraper.snapshot();   // offline: train on the bundled copy
 * }
 * }</pre>
 */
public final class ScrapeException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean networkUnreachable;

    ScrapeException(URI url, String what, boolean networkUnreachable, Throwable cause) {
        super(oneLine(Objects.requireNonNull(url, "url") + ": " + Objects.requireNonNull(what, "what")), cause);
        this.networkUnreachable = networkUnreachable;
    }

    /**
     * True when the server could not be reached at all (unknown host, connection refused, connect
     * timeout, no route), as opposed to a server that answered badly; callers use it to fall back
     * to the bundled snapshot.
     */
    public boolean isNetworkUnreachable() {
        return networkUnreachable;
    }

    private static String oneLine(String message) {
        return message.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}

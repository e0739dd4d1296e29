package dev.charlstm.scrape;

import java.net.URI;
import java.time.Instant;

/** The raw answer to a successful fetch; {@code url} is where the redirects ended. */
record FetchedPage(URI url, int status, String contentType, byte[] body, Instant fetchedAt) {
}

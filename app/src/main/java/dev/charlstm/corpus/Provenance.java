package dev.charlstm.corpus;

import dev.charlstm.io.Digests;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Where a corpus text came from, kept beside it so that a trained model can be traced back to the
 * exact page it learned from.
 *
 * <pre>{@code
 * Provenance p = Provenance.of("file", path.toUri().toString(), Instant.now(), 0, null, text);
 * }</pre>
 *
 * @param source      {@code "live"}, {@code "snapshot"} or {@code "file"}
 * @param url         the page the text was read from: for a live page the final URL after redirects
 * @param fetchedAt   when the page was read
 * @param httpStatus  status of the final HTTP response; 200 for the bundled snapshot, 0 where no HTTP was involved
 * @param contentType the Content-Type as served, or {@code null} if there was none
 * @param sha256      lowercase hex SHA-256 of the text's UTF-8 bytes
 * @param chars       length of the text in Java chars (UTF-16 units)
 */
public record Provenance(String source, String url, Instant fetchedAt, int httpStatus, String contentType,
                         String sha256, int chars) {

    /** The values {@link #source()} may take. */
    public static final Set<String> SOURCES = Set.of("live", "snapshot", "file");

    public Provenance {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(fetchedAt, "fetchedAt");
        Objects.requireNonNull(sha256, "sha256");
        if (!SOURCES.contains(source)) {
            throw new IllegalArgumentException("source must be one of " + SOURCES + ", got \"" + source + "\"");
        }
        if (httpStatus < 0 || httpStatus > 999) {
            throw new IllegalArgumentException("httpStatus must be 0 or an HTTP status code, got " + httpStatus);
        }
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits, got \"" + sha256 + "\"");
        }
        if (chars < 0) {
            throw new IllegalArgumentException("chars must not be negative, got " + chars);
        }
    }

    /** Describes {@code text}, computing its hash and length so they cannot disagree with it. */
    public static Provenance of(String source, String url, Instant fetchedAt, int httpStatus, String contentType,
                                String text) {
        Objects.requireNonNull(text, "text");
        return new Provenance(source, url, fetchedAt, httpStatus, contentType, Digests.sha256Hex(text), text.length());
    }

    /** Whether this provenance describes exactly {@code text}. */
    public boolean describes(String text) {
        return text.length() == chars && Digests.sha256Hex(text).equals(sha256);
    }

}

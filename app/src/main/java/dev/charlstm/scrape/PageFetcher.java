package dev.charlstm.scrape;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;
import javax.net.ssl.SSLException;

/**
 * One GET of a page, following redirects, within a connect timeout, a read timeout, a total deadline
 * and a body size limit.
 *
 * <p>Why {@link HttpURLConnection} and not {@code Jsoup.connect} or {@code java.net.http.HttpClient}:
 * Jsoup has a single timeout that it uses both for connecting and for the whole read, and HttpClient
 * has a connect timeout but only a per-request response deadline, no socket read timeout.
 * HttpURLConnection has both a real connect timeout and a socket read timeout that bounds every wait
 * for bytes, headers and body alike. Jsoup still does all the parsing, charset rules included.
 */
final class PageFetcher {

    static final int MAX_REDIRECTS = 10;

    /** Closes connections whose deadline has passed; one daemon thread for the whole program. */
    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration totalTimeout;
    private final int maxBodyBytes;
    private final String userAgent;

    PageFetcher(Duration connectTimeout, Duration readTimeout, Duration totalTimeout, int maxBodyBytes,
                String userAgent) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.totalTimeout = totalTimeout;
        this.maxBodyBytes = maxBodyBytes;
        this.userAgent = userAgent;
    }

    FetchedPage fetch(URI url) throws FetchFailure {
        URI current = url;
        long deadline = System.nanoTime() + totalTimeout.toNanos();
        for (int redirects = 0; ; redirects++) {
            HttpURLConnection conn = open(current);
            // The read timeout is an idle timeout: a byte every few seconds resets it forever. Past
            // the deadline the watchdog closes the connection, which ends any blocked read at once.
            AtomicBoolean expired = new AtomicBoolean();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw overDeadline();
            }
            ScheduledFuture<?> guard = WATCHDOG.schedule(() -> {
                expired.set(true);
                conn.disconnect();
            }, left, TimeUnit.NANOSECONDS);
            try {
                connect(conn, current);
                int status = status(conn);
                if (isRedirect(status)) {
                    if (redirects == MAX_REDIRECTS) {
                        throw FetchFailure.permanent("too many redirects (more than " + MAX_REDIRECTS + ")", null);
                    }
                    current = redirectTarget(conn, current, status);
                    continue;
                }
                if (status < 200 || status > 299) {
                    throw httpError(conn, status);
                }
                Instant fetchedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                String contentType = conn.getContentType();
                requireHtml(contentType);
                return new FetchedPage(current, status, contentType, readBody(conn), fetchedAt);
            } catch (FetchFailure failure) {
                throw expired.get() ? overDeadline() : failure;
            } finally {
                guard.cancel(false);
                conn.disconnect();
            }
        }
    }

    private HttpURLConnection open(URI url) throws FetchFailure {
        try {
            HttpURLConnection conn = (HttpURLConnection) url.toURL().openConnection();
            conn.setConnectTimeout(Math.toIntExact(connectTimeout.toMillis()));
            conn.setReadTimeout(Math.toIntExact(readTimeout.toMillis()));
            // Redirects are followed by hand: HttpURLConnection refuses to go from http to https.
            conn.setInstanceFollowRedirects(false);
            conn.setUseCaches(false);
            conn.setRequestProperty("User-Agent", userAgent);
            conn.setRequestProperty("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1");
            conn.setRequestProperty("Accept-Encoding", "gzip");
            return conn;
        } catch (IOException | IllegalArgumentException e) {
            throw FetchFailure.permanent("cannot open a connection (" + detail(e) + ")", e);
        }
    }

    private void connect(HttpURLConnection conn, URI url) throws FetchFailure {
        try {
            conn.connect();
        } catch (UnknownHostException e) {
            throw FetchFailure.unreachable("cannot connect (unknown host " + url.getHost() + ")", e);
        } catch (SocketTimeoutException e) {
            throw FetchFailure.unreachable("cannot connect (timed out after " + Units.duration(connectTimeout) + ")", e);
        } catch (SSLException e) {
            throw FetchFailure.permanent("TLS handshake failed (" + detail(e) + ")", e);
        } catch (IOException e) {
            // ConnectException ("Connection refused"), NoRouteToHostException, "Network is unreachable"
            throw FetchFailure.unreachable("cannot connect (" + detail(e) + ")", e);
        }
    }

    private int status(HttpURLConnection conn) throws FetchFailure {
        try {
            int status = conn.getResponseCode();
            if (status < 0) {
                throw FetchFailure.permanent("not a valid HTTP response", null);
            }
            return status;
        } catch (SocketTimeoutException e) {
            throw timedOut(e);
        } catch (SSLException e) {
            throw FetchFailure.permanent("TLS failed (" + detail(e) + ")", e);
        } catch (IOException e) {
            throw FetchFailure.transientFailure("connection failed (" + detail(e) + ")", e);
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static URI redirectTarget(HttpURLConnection conn, URI from, int status) throws FetchFailure {
        String location = conn.getHeaderField("Location");
        if (location == null || location.isBlank()) {
            throw FetchFailure.permanent("HTTP " + status + " redirect without a Location header", null);
        }
        URI target;
        try {
            target = from.resolve(location.trim());
        } catch (IllegalArgumentException e) {
            throw FetchFailure.permanent("redirected to an invalid location \"" + location + "\"", e);
        }
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw FetchFailure.permanent("redirected to a non-HTTP location " + target, null);
        }
        return target;
    }

    private static FetchFailure httpError(HttpURLConnection conn, int status) {
        String reason;
        try {
            reason = conn.getResponseMessage();
        } catch (IOException e) {
            reason = null; // the status line was already read, so this cannot really happen
        }
        String what = "HTTP " + status + (reason == null || reason.isBlank() ? "" : " " + reason.trim());
        // 429 and 5xx are the server saying "not now"; any other status will not change on a retry.
        return status == 429 || status >= 500
                ? FetchFailure.transientFailure(what, null)
                : FetchFailure.permanent(what, null);
    }

    private static void requireHtml(String contentType) throws FetchFailure {
        if (contentType == null) {
            return; // no claim either way: let the parser have a go
        }
        String mediaType = mediaType(contentType);
        if (!mediaType.equals("text/html") && !mediaType.equals("application/xhtml+xml")) {
            throw FetchFailure.permanent("not an HTML page (content type " + contentType.split(";", 2)[0].trim() + ")", null);
        }
    }

    static String mediaType(String contentType) {
        return contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    }

    private byte[] readBody(HttpURLConnection conn) throws FetchFailure {
        // A declared length over the limit fails before a byte is read. The limit applies to the
        // decoded bytes too, so a small gzip body cannot expand past it.
        if (conn.getContentLengthLong() > maxBodyBytes) {
            throw tooLarge();
        }
        try (InputStream in = decoded(conn.getInputStream(), conn.getContentEncoding())) {
            byte[] body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                throw tooLarge();
            }
            return body;
        } catch (SocketTimeoutException e) {
            throw timedOut(e);
        } catch (ZipException e) {
            throw FetchFailure.permanent("cannot decompress the response body (" + detail(e) + ")", e);
        } catch (IOException e) {
            throw FetchFailure.transientFailure("connection failed while reading the body (" + detail(e) + ")", e);
        }
    }

    private static InputStream decoded(InputStream raw, String contentEncoding) throws IOException {
        String encoding = contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        switch (encoding) {
            case "", "identity":
                return raw;
            case "gzip", "x-gzip":
                return new GZIPInputStream(raw);
            case "deflate":
                return new InflaterInputStream(raw);
            default:
                raw.close();
                throw new ZipException("unsupported content encoding " + contentEncoding);
        }
    }

    private FetchFailure tooLarge() {
        return FetchFailure.permanent("response body exceeds " + Units.bytes(maxBodyBytes) + " limit", null);
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "charlstm-fetch-deadline");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true); // a finished fetch leaves nothing queued
        return executor;
    }

    private FetchFailure overDeadline() {
        return FetchFailure.transientFailure("did not finish within " + Units.duration(totalTimeout), null);
    }

    private FetchFailure timedOut(SocketTimeoutException e) {
        return FetchFailure.transientFailure("timed out after " + Units.duration(readTimeout), e);
    }

    /** An exception's message as a lower-case phrase, for "cannot connect (connection refused)". */
    static String detail(Exception e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        message = message.strip();
        boolean capitalisedWord = message.length() > 1
                && Character.isUpperCase(message.charAt(0)) && Character.isLowerCase(message.charAt(1));
        return capitalisedWord ? Character.toLowerCase(message.charAt(0)) + message.substring(1) : message;
    }
}

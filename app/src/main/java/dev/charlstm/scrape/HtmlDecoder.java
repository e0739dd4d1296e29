package dev.charlstm.scrape;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.util.Locale;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/**
 * Turns page bytes into a Jsoup document, choosing the charset as a browser would: a BOM wins,
 * then the charset of the Content-Type header, then the page's own {@code <meta charset>}, then UTF-8.
 */
final class HtmlDecoder {

    /*
     * Browsers decode pages labelled ISO-8859-1 or US-ASCII as windows-1252 (WHATWG Encoding
     * standard), and authors rely on it for curly quotes in 0x80-0x9F. Java's ISO-8859-1 would
     * turn those bytes into invisible C1 control characters.
     */
    private static final Set<String> READ_AS_WINDOWS_1252 = Set.of("ISO-8859-1", "US-ASCII");

    private HtmlDecoder() {}

    static Document decode(byte[] body, String contentType, String baseUri) {
        String headerCharset = charsetOf(contentType);
        if (headerCharset != null) {
            return parse(body, browserCharset(headerCharset), baseUri);
        }
        // No usable header charset: Jsoup sniffs the BOM and <meta charset>, defaulting to UTF-8.
        Document sniffed = parse(body, null, baseUri);
        String found = sniffed.charset().name();
        return READ_AS_WINDOWS_1252.contains(found) ? parse(body, "windows-1252", baseUri) : sniffed;
    }

    /** The charset parameter of a Content-Type, or null if it is missing or not one Java knows. */
    static String charsetOf(String contentType) {
        if (contentType == null) {
            return null;
        }
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param.length == 2 && param[0].trim().equalsIgnoreCase("charset")) {
                String name = param[1].trim().replace("\"", "").replace("'", "");
                return supported(name) ? Charset.forName(name).name() : null;
            }
        }
        return null;
    }

    private static boolean supported(String name) {
        try {
            return !name.isEmpty() && Charset.isSupported(name);
        } catch (IllegalCharsetNameException e) {
            return false;
        }
    }

    private static String browserCharset(String javaName) {
        return READ_AS_WINDOWS_1252.contains(javaName.toUpperCase(Locale.ROOT)) ? "windows-1252" : javaName;
    }

    private static Document parse(byte[] body, String charset, String baseUri) {
        try {
            return Jsoup.parse(new ByteArrayInputStream(body), charset, baseUri);
        } catch (IOException e) {
            throw new UncheckedIOException("reading from memory cannot fail", e);
        }
    }
}

package dev.charlstm.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HtmlDecoderTest {

    @Test
    void readsTheCharsetParameterOfAContentType() {
        assertThat(HtmlDecoder.charsetOf("text/html; charset=ISO-8859-1")).isEqualTo("ISO-8859-1");
        assertThat(HtmlDecoder.charsetOf("text/html;charset=\"utf-8\"")).isEqualTo("UTF-8");
        assertThat(HtmlDecoder.charsetOf("text/html; foo=bar; Charset=windows-1252")).isEqualTo("windows-1252");
        assertThat(HtmlDecoder.charsetOf("text/html")).isNull();
        assertThat(HtmlDecoder.charsetOf(null)).isNull();
        assertThat(HtmlDecoder.charsetOf("text/html; charset=no-such-charset")).isNull();
        assertThat(HtmlDecoder.charsetOf("text/html; charset=")).isNull();
    }

    @Test
    void anUnknownHeaderCharsetFallsBackToTheMetaCharset() {
        byte[] html = "<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf\u00e9</p></body></html>"
                .getBytes(StandardCharsets.ISO_8859_1);

        assertThat(HtmlDecoder.decode(html, "text/html; charset=bogus", "http://x/").body().text()).isEqualTo("café");
    }

    @Test
    void aByteOrderMarkWinsOverTheHeader() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = "<p>café</p>".getBytes(StandardCharsets.UTF_8);
        byte[] html = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, html, 0, bom.length);
        System.arraycopy(body, 0, html, bom.length, body.length);

        assertThat(HtmlDecoder.decode(html, "text/html; charset=ISO-8859-1", "http://x/").body().text())
                .isEqualTo("café");
    }
}

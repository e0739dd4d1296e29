package dev.charlstm.scrape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charlstm.io.Digests;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ScrapeResultTest {

    private static final Instant NOW = Instant.parse("2021-03-01T00:00:00Z");

    @Test
    void provenanceOfComputesHashAndLengthOfTheUtf8Text() {
        Provenance p = Provenance.of("snapshot", "classpath:x", NOW, 200, "text/html", "é\n");

        // printf 'é\n' | sha256sum
        assertThat(p.sha256()).isEqualTo("edd3a863872a04239eb29ad4bc12fc892b3d4ae57cc7e786a3697816f8e141c2");
        assertThat(p.chars()).isEqualTo(2);
        assertThat(p.describes("é\n")).isTrue();
        assertThat(p.describes("e\n")).isFalse();
    }

    @Test
    void provenanceRejectsBadValues() {
        String sha = Digests.sha256Hex("x");
        assertThatThrownBy(() -> new Provenance("web", "u", NOW, 200, null, sha, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("source");
        assertThatThrownBy(() -> new Provenance("live", "u", NOW, 200, null, "ABC", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sha256");
        assertThatThrownBy(() -> new Provenance("live", "u", NOW, -1, null, sha, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Provenance("live", null, NOW, 200, null, sha, 1))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void resultMustMatchItsProvenance() {
        Provenance p = Provenance.of("live", "u", NOW, 200, null, "one\n");

        assertThatThrownBy(() -> new ScrapeResult("two\n", p)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("provenance");
    }

    @Test
    void twoArgumentResultCountsBlankLineSeparatedEntries() {
        String text = "\nQ1\nA1\n\n\nQ2\nA2\n  \nQ3\n";

        ScrapeResult r = new ScrapeResult(text, Provenance.of("file", "file:/x", NOW, 0, null, text));

        assertThat(r.entries()).isEqualTo(3);
        assertThat(r.fallbackUsed()).isFalse();
    }

    @Test
    void fromFileDescribesAPlainTextCorpus() {
        ScrapeResult r = ScrapeResult.fromFile(Path.of("data", "faq.txt"), "Q?\nA.\n");

        assertThat(r.provenance().source()).isEqualTo("file");
        assertThat(r.provenance().url()).startsWith("file:/").endsWith("/data/faq.txt");
        assertThat(r.provenance().httpStatus()).isZero();
        assertThat(r.entries()).isEqualTo(1);
    }
}

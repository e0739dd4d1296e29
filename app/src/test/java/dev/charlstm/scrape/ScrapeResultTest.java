package dev.charlstm.scrape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charlstm.corpus.Provenance;
import dev.charlstm.corpus.SourceText;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ScrapeResultTest {

    private static final Instant NOW = Instant.parse("2021-03-01T00:00:00Z");

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
    void theSnapshotBecomesASourceTextThatKeepsHowItWasExtracted() throws Exception {
        ScrapeResult snapshot = FaqScraper.snapshot();

        SourceText text = snapshot.sourceText();

        assertThat(text.text()).isEqualTo(snapshot.text());
        assertThat(text.provenance()).isEqualTo(snapshot.provenance());
        assertThat(text.entries()).isEqualTo(snapshot.entries());
        assertThat(text.fallbackUsed()).isTrue();
        assertThat(text.extraction().shape()).isEqualTo("accordion");
        assertThat(text.extraction().droppedBlocks()).isEqualTo(snapshot.extraction().dropped());
        assertThat(text.extraction().droppedByRule()).containsEntry("decoration", 10);
        assertThat(text.extraction().droppedByRule().keySet()).containsExactlyElementsOf(
                snapshot.extraction().droppedByRule().keySet().stream().map(ChromeRule::id).toList());
    }
}

package dev.charlstm.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TextNormalizerTest {

    /** The real UW FAQ text in the shared folder beside the project (this module is one level down). */
    private static final Path FAQ = Path.of("..", "..", "shared", "corpora", "covid19-faq.txt");

    private final TextNormalizer normalizer = TextNormalizer.forVocabulary(Vocabulary.printable());

    @Test
    void foldsTypographyAccentsAndSpaces() {
        TextNormalizer.Result r = normalizer.normalize(
                "Caf\u00e9 \u2014 \u201copen\u201d \u2018til 5\u20137\u2026 it\u2019s\u00a0here\u202fnow   ok");
        assertThat(r.text()).isEqualTo("Cafe -- \"open\" 'til 5-7... it's here now ok");
        assertThat(r.dropped()).isEmpty();
    }

    @Test
    void fullWidthAndLigaturesFoldThroughNfkc() {
        assertThat(normalizer.normalize("\uff21\uff22 \ufb01ne").text()).isEqualTo("AB fine");
    }

    @Test
    void dropsAndCountsWhatIsStillOutside() {
        TextNormalizer.Result r = normalizer.normalize("5\u20ac, 6\u20ac and \u2603");
        assertThat(r.text()).isEqualTo("5, 6 and ");
        assertThat(r.dropped()).containsExactly(
                java.util.Map.entry('\u20ac', 2), java.util.Map.entry('\u2603', 1));
        assertThat(r.droppedSummary(5)).isEqualTo("3 dropped: '\u20ac' (U+20AC) x2, '\u2603' (U+2603) x1");
    }

    @Test
    void strictModeNamesTheFirstUnknownCharacter() {
        assertThatThrownBy(() -> normalizer.normalizeStrict("ok \u2603"))
                .isInstanceOf(TextNormalizer.OutOfVocabularyException.class)
                .hasMessageContaining("'\u2603' (U+2603) at position 3");
    }

    @Test
    void realFaqNormalisesToTheSeedNotebooksLength() throws Exception {
        TextNormalizer.Result r = normalizer.normalize(Files.readString(FAQ));
        assertThat(r.text()).hasSize(84_658);
        assertThat(r.dropped()).isEmpty();
    }
}

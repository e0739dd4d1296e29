package dev.charlstm.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charlstm.text.Vocabulary;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

class CorpusTest {

    private static final String TEXT = "Where can I get tested? At the field house, every weekday.\n";

    @Test
    void splitKeepsTheTailForValidation() {
        Corpus corpus = Corpus.fromText(TEXT.repeat(10), Vocabulary.printable(), false);
        Corpus.Split split = corpus.split(0.1);
        assertThat(split.train().length + split.validation().length).isEqualTo(corpus.length());
        assertThat(split.validation().length).isEqualTo(corpus.length() - (int) (corpus.length() * 0.9));
        int[] all = Vocabulary.printable().encode(corpus.text());
        assertThat(split.validation()).isEqualTo(Arrays.copyOfRange(all, split.train().length, all.length));
    }

    @Test
    void theTestTextIsTheTailAndTheValidationTextTheStretchBeforeItWithNoOverlap() {
        Corpus corpus = Corpus.fromText(TEXT.repeat(40), Vocabulary.printable(), false);
        int n = corpus.length();
        Corpus.Split split = corpus.split(0.1, 0.05);
        int[] all = Vocabulary.printable().encode(corpus.text());
        int testStart = (int) (n * 0.95);
        int validationStart = (int) (n * 0.85);
        assertThat(split.test()).isEqualTo(Arrays.copyOfRange(all, testStart, n));
        assertThat(split.validation()).isEqualTo(Arrays.copyOfRange(all, validationStart, testStart));
        assertThat(split.train()).isEqualTo(Arrays.copyOfRange(all, 0, validationStart));
        assertThat(corpus.split(0.1).test()).isEmpty();
        assertThatThrownBy(() -> corpus.split(0.1, 0.6)).hasMessage("test fraction must be in [0, 0.5], got 0.6");
    }

    @Test
    void shaIdentifiesTheNormalisedText() {
        Corpus a = Corpus.fromText("caf\u00e9", Vocabulary.printable(), false);
        Corpus b = Corpus.fromText("cafe", Vocabulary.printable(), false);
        assertThat(a.sha256()).isEqualTo(b.sha256())
                .isEqualTo("a860b858265b22dad3aaf1165cfc2936daf1d3d86e0b7b77e3cc07f59f96858f");
    }

    @Test
    void emptyOrUnusableTextIsAClearError() {
        assertThatThrownBy(() -> Corpus.fromText("  ", Vocabulary.printable(), false))
                .hasMessageContaining("empty after normalisation");
        assertThatThrownBy(() -> Corpus.fromText("\u2603\u2603", Vocabulary.printable(), false))
                .hasMessageContaining("empty after normalisation").hasMessageContaining("2 dropped");
        assertThatThrownBy(() -> Corpus.fromText("x", Vocabulary.printable(), false).split(0.9))
                .hasMessageContaining("[0, 0.5]");
    }

    @Test
    void chunksAreShiftedPairsFromTheText() {
        int[] ids = IntStream.range(0, 500).map(i -> i % 100).toArray();
        ChunkSampler sampler = new ChunkSampler(ids, 100, 20, 4);
        DataSet batch = sampler.batch(7, 3);
        INDArray x = batch.getFeatures();
        INDArray y = batch.getLabels();
        assertThat(x.shape()).containsExactly(4, 1, 20);
        assertThat(y.shape()).containsExactly(4, 100, 20);
        int[] starts = sampler.starts(7, 3);
        for (int b = 0; b < 4; b++) {
            for (int t = 0; t < 20; t++) {
                assertThat(x.getInt(b, 0, t)).isEqualTo(ids[starts[b] + t]);
                assertThat(y.getFloat(b, ids[starts[b] + t + 1], t)).isEqualTo(1f);
            }
        }
        assertThat(y.sumNumber().intValue()).isEqualTo(4 * 20);
    }

    @Test
    void batchesAreReproducibleFromSeedAndIteration() {
        int[] ids = IntStream.range(0, 10_000).map(i -> i % 100).toArray();
        ChunkSampler sampler = new ChunkSampler(ids, 100, 50, 8);
        assertThat(sampler.starts(1, 5)).isEqualTo(sampler.starts(1, 5));
        assertThat(sampler.starts(1, 5)).isNotEqualTo(sampler.starts(1, 6));
        assertThat(sampler.starts(1, 5)).isNotEqualTo(sampler.starts(2, 5));
        assertThat(sampler.batch(1, 5).getFeatures()).isEqualTo(sampler.batch(1, 5).getFeatures());
        assertThat(IntStream.of(sampler.starts(3, 0)).allMatch(s -> s >= 0 && s + 51 <= ids.length)).isTrue();
    }

    @Test
    void textShorterThanOneChunkIsAClearError() {
        assertThatThrownBy(() -> new ChunkSampler(new int[10], 100, 10, 2))
                .hasMessage("the training text has 10 characters, fewer than one chunk of 11");
    }
}

package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.charlstm.generate.CharLogProbs;
import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.generate.LogProbListener;
import dev.charlstm.generate.Sample;
import dev.charlstm.testing.TinyModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library hook behind {@code logprobs}: one entry per character the listener is given. */
class OpenAiLogProbsTest {

    @TempDir
    static Path dir;
    static Generator generator;

    @BeforeAll
    static void load() throws Exception {
        TinyModels.savePeaky(dir.resolve("m.zip"));
        generator = Generator.load(dir.resolve("m.zip"));
    }

    /** Collects what a LogProbListener hears for sample 0. */
    static final class Collector implements LogProbListener {
        final StringBuilder text = new StringBuilder();
        final List<CharLogProbs> logProbs = new ArrayList<>();
        private final int top;

        Collector(int top) {
            this.top = top;
        }

        @Override
        public int topLogProbs() {
            return top;
        }

        @Override
        public void onText(int sample, String text, List<CharLogProbs> logProbs) {
            assertThat(logProbs).hasSize(text.length());
            if (sample == 0) {
                this.text.append(text);
                this.logProbs.addAll(logProbs);
            }
        }
    }

    @Test
    void logProbsFollowTheTextAndDoNotChangeIt() {
        GenerationOptions options = GenerationOptions.builder().prime("Th").length(120).seed(17L).temperature(0.9)
                .topK(10).build();
        Collector collector = new Collector(4);
        Sample sample = generator.generate(options, collector).get(0);
        assertThat(sample.text()).isEqualTo(generator.generate(options).get(0).text());
        assertThat(collector.text.toString()).isEqualTo(sample.text());
        for (int j = 0; j < sample.text().length(); j++) {
            CharLogProbs lp = collector.logProbs.get(j);
            double[] probs = generator.nextCharProbabilities("Th" + sample.text().substring(0, j));
            String vocabulary = generator.info().vocabulary();
            assertThat(lp.character()).isEqualTo(sample.text().charAt(j));
            assertThat(lp.logProb()).isCloseTo(Math.log(probs[vocabulary.indexOf(lp.character())]), within(1e-5));
            assertThat(lp.top()).hasSize(4);
            for (int k = 1; k < 4; k++) {
                assertThat(lp.top().get(k).logProb()).isLessThanOrEqualTo(lp.top().get(k - 1).logProb());
            }
            double best = Arrays.stream(probs).max().orElseThrow();
            assertThat(lp.top().get(0).logProb()).isCloseTo(Math.log(best), within(1e-5));
        }
    }

    @Test
    void aStopStringTakesItsLogProbsWithIt() {
        String free = generator.generate(GenerationOptions.builder().prime("Th").length(200).seed(3L).build()).get(0)
                .text();
        String stop = free.substring(30, 33);
        GenerationOptions options = GenerationOptions.builder().prime("Th").length(200).seed(3L).stop(List.of(stop))
                .build();
        Collector collector = new Collector(0);
        Sample sample = generator.generate(options, collector).get(0);
        assertThat(sample.stoppedBy()).isEqualTo(stop);
        assertThat(collector.text.toString()).isEqualTo(sample.text()).isEqualTo(free.substring(0, free.indexOf(stop)));
        assertThat(collector.logProbs).hasSize(sample.text().length()).allSatisfy(lp -> assertThat(lp.top()).isEmpty());
    }
}

package dev.charlstm.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.charlstm.model.LossEvaluator;
import dev.charlstm.testing.TinyModels;
import dev.charlstm.text.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorTest {

    @TempDir
    static Path dir;
    static Path modelFile;
    static MultiLayerNetwork net;
    static Generator generator;

    @BeforeAll
    static void model() throws Exception {
        modelFile = dir.resolve("model.zip");
        net = TinyModels.savePeaky(modelFile);
        generator = Generator.load(modelFile);
    }

    private static GenerationOptions.Builder options() {
        return GenerationOptions.builder().prime("Th").length(60).seed(11L);
    }

    @Test
    void describesTheModel() {
        assertThat(generator.info().layers()).isEqualTo(2);
        assertThat(generator.info().hiddenSize()).isEqualTo(16);
        assertThat(generator.info().vocabulary()).isEqualTo(Vocabulary.printable().chars());
    }

    @Test
    void sameSeedSameTextDifferentSeedDifferentText() {
        Sample a = generator.generate(options().build()).get(0);
        Sample b = generator.generate(options().build()).get(0);
        Sample c = generator.generate(options().seed(12L).build()).get(0);
        assertThat(a.text()).hasSize(60).isEqualTo(b.text()).isNotEqualTo(c.text());
        assertThat(a.prime()).isEqualTo("Th");
        assertThat(a.fullText()).isEqualTo("Th" + a.text());
        assertThat(a.seed()).isEqualTo(11L);
        assertThat(a.stoppedBy()).isNull();
    }

    @Test
    void aBatchGivesEachSampleWhatItWouldGetAlone() {
        List<Sample> batch = generator.generate(options().count(4).build());
        assertThat(batch).hasSize(4);
        for (int i = 0; i < 4; i++) {
            Sample alone = generator.generate(options().seed(11L + i).build()).get(0);
            assertThat(batch.get(i)).isEqualTo(alone);
        }
    }

    @Test
    void greedyFollowsTheMostLikelyCharacter() {
        String text = generator.generate(options().temperature(0).length(15).build()).get(0).fullText();
        for (int i = 2; i < text.length(); i++) {
            double[] p = generator.nextCharProbabilities(text.substring(0, i));
            int best = 0;
            for (int v = 1; v < p.length; v++) {
                best = p[v] > p[best] ? v : best;
            }
            assertThat(text.charAt(i)).isEqualTo(Vocabulary.printable().charAt(best));
        }
        assertThat(generator.generate(options().topK(1).length(15).build()).get(0).fullText()).isEqualTo(text);
    }

    @Test
    void firstCharacterDistributionMatchesTheDl4jForwardPass() {
        double[] p = generator.nextCharProbabilities("Th");
        var out = net.output(org.nd4j.linalg.factory.Nd4j.create(new float[] {55, 17}, new long[] {1, 1, 2}, 'c'));
        for (int v = 0; v < 100; v++) {
            assertThat(p[v]).isCloseTo(out.getDouble(0, v, 1), within(1e-5));
        }
        int draws = 4000;
        int[] counts = new int[100];
        for (long batch = 0; batch < draws / 1000; batch++) {
            for (Sample s : generator.generate(options().length(1).temperature(1).count(1000).seed(batch * 1000).build())) {
                counts[Vocabulary.printable().indexOf(s.text().charAt(0))]++;
            }
        }
        for (int v = 0; v < 100; v++) {
            double sigma = Math.sqrt(draws * p[v] * (1 - p[v]));
            assertThat((double) counts[v]).isBetween(draws * p[v] - 5 * sigma - 2, draws * p[v] + 5 * sigma + 2);
        }
    }

    @Test
    void stopStringsEndASampleAndAreNeverStreamed() {
        List<String> stops = List.of("e", "\n");
        StringBuilder streamed = new StringBuilder();
        List<Sample> samples = generator.generate(options().length(400).stop(stops).build(),
                (i, text) -> streamed.append(text));
        Sample s = samples.get(0);
        assertThat(s.stoppedBy()).isIn("e", "\n");
        assertThat(s.text()).doesNotContain("e").doesNotContain("\n");
        assertThat(streamed.toString()).isEqualTo(s.text());
        Sample unstopped = generator.generate(options().length(400).build()).get(0);
        assertThat(unstopped.text()).startsWith(s.text() + s.stoppedBy());
    }

    @Test
    void streamingHoldsBackOnlyWhatCouldStartAStopString() {
        Sample plain = generator.generate(options().length(200).build()).get(0);
        String stop = "zzqx"; // long and unlikely: never matches, so everything streams in order
        List<String> pieces = new ArrayList<>();
        Sample s = generator.generate(options().length(200).stop(List.of(stop)).build(), (i, t) -> pieces.add(t)).get(0);
        assertThat(s.text()).isEqualTo(plain.text());
        assertThat(String.join("", pieces)).isEqualTo(plain.text());
        assertThat(pieces.size()).isGreaterThan(100);
    }

    @Test
    void primeIsFoldedOrRejectedWithItsPosition() {
        Sample s = generator.generate(options().prime("Caf\u00e9 \u201cnews\u201d").length(5).build()).get(0);
        assertThat(s.prime()).isEqualTo("Cafe \"news\"");
        assertThatThrownBy(() -> generator.generate(options().prime("ok \u2603 no").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("prime character '\u2603' (U+2603) at position 3 is not in the model's vocabulary "
                        + "and has no folding onto it");
    }

    @Test
    void concurrentCallersEachGetWhatTheyWouldGetAlone() throws Exception {
        List<String> alone = new ArrayList<>();
        for (long seed = 0; seed < 16; seed++) {
            alone.add(generator.generate(options().seed(seed).length(300).build()).get(0).text());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (long seed = 0; seed < 16; seed++) {
                long s = seed;
                futures.add(pool.submit(() -> generator.generate(options().seed(s).length(300).build()).get(0).text()));
            }
            for (int i = 0; i < 16; i++) {
                assertThat(futures.get(i).get()).isEqualTo(alone.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The two-core path: 32 long samples with different seeds and options stepped as one batch,
     * split across two cores while 16 or more are left, each equal to the same sample generated
     * alone. Stop strings end some early, so the batch also narrows through the split threshold.
     */
    @Test
    void aWideBatchSplitAcrossTwoCoresGivesEverySampleWhatItGetsAlone() {
        List<GenerationOptions> requests = new ArrayList<>();
        double[] temperatures = {0.0, 0.5, 0.8, 1.0, 1.3};
        for (int i = 0, streams = 0; streams < 32; i++) {
            int count = Math.min(i % 3 == 0 ? 3 : 1, 32 - streams);
            streams += count;
            GenerationOptions.Builder b = GenerationOptions.builder().prime(i % 2 == 0 ? "Th" : "Masks are ")
                    .length(2000 + 37 * i).seed(1000L + 97 * i).temperature(temperatures[i % temperatures.length])
                    .count(count);
            if (i % 4 == 1) {
                b.topK(5);
            }
            if (i % 4 == 2) {
                b.topP(0.9);
            }
            if (i % 4 == 3) {
                b.topK(8).topP(0.8);
            }
            if (i % 5 == 4) {
                b.stop(List.of("e t", "\n\n"));
            }
            requests.add(b.build());
        }
        List<Generator.Prepared> prepared = new ArrayList<>();
        List<SampleStream> active = new ArrayList<>();
        for (GenerationOptions o : requests) {
            Generator.Prepared p = generator.prepare(o, (i, text) -> { });
            prepared.add(p);
            active.addAll(p.streams());
        }
        assertThat(active).hasSize(32);
        CharLstm.Scratch scratch = generator.scratch(active.size(), true);
        assertThat(scratch.otherHalf).as("batches of 16 or more are split").isNotNull();
        int wideSteps = 0;
        while (!active.isEmpty()) {
            wideSteps += active.size() >= CharLstm.PARALLEL_BATCH ? 1 : 0;
            generator.step(active, scratch);
        }
        assertThat(wideSteps).as("steps taken on two cores").isGreaterThanOrEqualTo(1000);
        int stopped = 0;
        for (int r = 0; r < requests.size(); r++) {
            GenerationOptions o = requests.get(r);
            List<Sample> batched = prepared.get(r).samples();
            for (int i = 0; i < o.count(); i++) {
                Sample alone = generator.generate(o.toBuilder().count(1).seed(o.seed() + i).build()).get(0);
                assertThat(batched.get(i)).as("request %d, sample %d", r, i).isEqualTo(alone);
                assertThat(alone.text().length()).isLessThanOrEqualTo(o.length());
                stopped += alone.stoppedBy() != null ? 1 : 0;
            }
        }
        assertThat(stopped).as("samples ended early by a stop string").isPositive();
    }

    @Test
    void scoreMatchesTheDl4jEvaluation() {
        String text = "Testing is free for students and employees.\nMasks are required indoors.";
        Score score = generator.score(text);
        int[] ids = Vocabulary.printable().encode(text);
        assertThat(score.chars()).isEqualTo(ids.length - 1);
        assertThat(score.lossNats()).isCloseTo(LossEvaluator.nats(net, ids, 1, 1000), within(1e-4));
        assertThat(score.bitsPerChar()).isCloseTo(score.lossNats() / Math.log(2), within(1e-12));
        assertThatThrownBy(() -> generator.score("a")).hasMessageContaining("at least 2 characters");
    }

    @Test
    void badOptionsNameTheOption() {
        assertThatThrownBy(() -> options().length(-1).build()).hasMessage("length must be in [0, 1000000], got -1");
        assertThatThrownBy(() -> options().temperature(-0.1).build())
                .hasMessage("temperature must be in [0, 100], got -0.1");
        assertThatThrownBy(() -> options().topP(0).build()).hasMessage("top-p must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> options().topP(1.5).build()).hasMessage("top-p must be in (0, 1], got 1.5");
        assertThatThrownBy(() -> options().topK(-2).build()).hasMessageStartingWith("top-k must be >= 0");
        assertThatThrownBy(() -> options().count(0).build()).hasMessage("count must be in [1, 1024], got 0");
        assertThatThrownBy(() -> options().prime("").build()).hasMessage("prime must have at least one character");
        assertThatThrownBy(() -> options().stop(List.of("")).build()).hasMessage("stop strings must not be empty");
        assertThatThrownBy(() -> options().temperature(Double.NaN).build()).hasMessageStartingWith("temperature");
    }

    @Test
    void unusableFilesAreInvalidModelsNamingTheFile() throws Exception {
        Path cut = dir.resolve("cut.zip");
        byte[] bytes = Files.readAllBytes(modelFile);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> Generator.load(cut)).isInstanceOf(InvalidModelException.class)
                .hasMessageStartingWith(cut.toString());
        assertThatThrownBy(() -> Generator.load(dir.resolve("nope.zip"))).isInstanceOf(InvalidModelException.class)
                .hasMessage(dir.resolve("nope.zip") + ": no such file");
    }
}

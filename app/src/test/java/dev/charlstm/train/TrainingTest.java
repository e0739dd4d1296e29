package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.charlstm.corpus.Corpus;
import dev.charlstm.model.LossEvaluator;
import dev.charlstm.model.ModelFile;
import dev.charlstm.testing.Fixtures;
import dev.charlstm.testing.TinyModels;
import dev.charlstm.text.Vocabulary;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingTest {

    @TempDir
    static Path shared;
    static Path corpusFile;

    @TempDir
    Path dir;

    @BeforeAll
    static void smallCorpus() throws Exception {
        corpusFile = Fixtures.faqHead(shared, 6000);
    }

    private Training.Summary train(Path out, Path resume, String... overrides) throws Exception {
        return TinyModels.train(corpusFile, out, resume, overrides);
    }

    @Test
    void trainsAndWritesASelfDescribingModelMetricsAndChart() throws Exception {
        Training.Summary s = train(dir, null);

        assertThat(s.iterations()).isEqualTo(30);
        assertThat(s.stopReason()).isEqualTo("iterations");
        JsonNode metrics = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
        for (String key : List.of("train_chars_per_sec", "val_loss_nats", "val_bpc", "best_val_loss_nats",
                "iterations", "wall_seconds", "backend", "engine", "threads", "corpus_chars", "corpus_sha256", "config")) {
            assertThat(metrics.has(key)).as("metrics.json has %s", key).isTrue();
        }
        assertThat(metrics.get("backend").asText()).isEqualTo("cpu");
        assertThat(metrics.get("engine").asText()).isEqualTo("blas");
        assertThat(metrics.get("threads").asInt()).as("a batch of 8 is one shard").isEqualTo(1);
        assertThat(metrics.get("config").get("hidden_size").asInt()).isEqualTo(16);
        assertThat(metrics.get("evaluations")).hasSize(3);

        Corpus corpus = Corpus.fromText(Files.readString(corpusFile), Vocabulary.printable(), false);
        assertThat(metrics.get("corpus_sha256").asText()).isEqualTo(corpus.sha256());
        assertThat(metrics.get("corpus_chars").asInt()).isEqualTo(corpus.length());

        // Learned something: well below the uniform ln(100) = 4.61 nats after 30 tiny iterations.
        double best = metrics.get("best_val_loss_nats").asDouble();
        assertThat(best).isLessThan(3.6);
        assertThat(metrics.get("val_bpc").asDouble())
                .isCloseTo(metrics.get("val_loss_nats").asDouble() / Math.log(2), within(1e-3));

        // model.zip alone reproduces the best validation loss: network + vocabulary + hyperparameters.
        ModelFile.Loaded model = ModelFile.load(dir.resolve("model.zip"));
        assertThat(model.metadata().vocabulary()).isEqualTo(Vocabulary.printable().chars());
        assertThat(model.metadata().training().corpusSha256()).isEqualTo(corpus.sha256());
        assertThat(model.metadata().training().valLossNats()).isEqualTo(best);
        assertThat(model.metadata().hyperparameters().get("hidden_size")).isEqualTo(16);
        int[] validation = corpus.split(0.1, 0.05).validation();
        assertThat(LossEvaluator.nats(model.network(), validation, Validation.EVAL_STREAMS, 10)).isCloseTo(best, within(1e-3));

        // Trained by the BLAS engine, loaded and sampled through the public library like any model.
        var generator = dev.charlstm.generate.Generator.load(dir.resolve("model.zip"));
        var options = dev.charlstm.generate.GenerationOptions.builder().prime("Th").length(40).seed(5L).build();
        String text = generator.generate(options).get(0).fullText();
        assertThat(text).startsWith("Th").hasSize(42);
        assertThat(generator.generate(options).get(0).fullText()).isEqualTo(text);

        BufferedImage chart = ImageIO.read(dir.resolve("loss.png").toFile());
        assertThat(chart.getWidth()).isEqualTo(900);
        assertThat(Files.exists(dir.resolve("checkpoints/latest.zip"))).isTrue();
        assertThat(Files.exists(dir.resolve("checkpoints/best.zip"))).isTrue();
        assertThat(Files.readString(dir.resolve("corpus.txt"))).isEqualTo(Files.readString(corpusFile));
        try (var files = Files.walk(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
        }
    }

    @Test
    void theTestTextIsNeitherTrainedOnNorUsedForSelectionAndIsReportedForTheChosenModel() throws Exception {
        // 5,700 characters of the FAQ, then 300 of another kind: exactly the test text (the last 5% of 6,000).
        String faq = Corpus.fromText(Files.readString(corpusFile), Vocabulary.printable(), false).text().substring(0, 5700);
        Path[] runs = new Path[2];
        for (int k = 0; k < 2; k++) {
            java.util.Random random = new java.util.Random(k);
            StringBuilder tail = new StringBuilder();
            while (tail.length() < 300) {
                tail.append((char) (random.nextBoolean() ? 'A' + random.nextInt(26) : '0' + random.nextInt(10)));
            }
            Path corpusWithTail = dir.resolve("with-tail-" + k + ".txt");
            Files.writeString(corpusWithTail, faq + tail);
            runs[k] = dir.resolve("run-" + k);
            TinyModels.train(corpusWithTail, runs[k], null, "eval_chars=100");
        }
        // Two different test texts, and the same model to the last bit: the test text decided nothing.
        ModelFile.Loaded model = ModelFile.load(runs[0].resolve("model.zip"));
        assertThat(ModelFile.load(runs[1].resolve("model.zip")).network().params()).isEqualTo(model.network().params());

        Corpus corpus = Corpus.fromText(Files.readString(dir.resolve("with-tail-0.txt")), Vocabulary.printable(), false);
        Corpus.Split split = corpus.split(0.1, 0.05);
        assertThat(split.test()).hasSize(300);
        JsonNode metrics = new ObjectMapper().readTree(runs[0].resolve("metrics.json").toFile());
        JsonNode other = new ObjectMapper().readTree(runs[1].resolve("metrics.json").toFile());
        for (int i = 0; i < 3; i++) {
            for (String key : List.of("iteration", "train_loss", "val_loss")) {
                assertThat(metrics.get("evaluations").get(i).get(key)).isEqualTo(other.get("evaluations").get(i).get(key));
            }
        }
        assertThat(metrics.get("test_chars").asInt()).isEqualTo(300);
        assertThat(metrics.get("val_chars").asInt()).isEqualTo(split.validation().length);
        assertThat(metrics.get("selection_val_chars").asInt()).isEqualTo(100);
        double best = metrics.get("best_val_loss_nats").asDouble();
        assertThat(metrics.get("test_loss_nats").asDouble()).isGreaterThan(best + 0.5)
                .isNotEqualTo(other.get("test_loss_nats").asDouble());

        // Selection measured the first 100 validation characters, every time; the end measured all of them.
        int[] selection = java.util.Arrays.copyOf(split.validation(), 100);
        assertThat(LossEvaluator.nats(model.network(), selection, Validation.EVAL_STREAMS, 10)).isCloseTo(best, within(1e-3));
        assertThat(metrics.get("full_val_loss_nats").asDouble()).isCloseTo(
                LossEvaluator.nats(model.network(), split.validation(), Validation.EVAL_STREAMS, 10), within(1e-3));
        assertThat(model.metadata().training().testLossNats()).isEqualTo(metrics.get("test_loss_nats").asDouble());
        assertThat(Validation.selectionText(split.validation(), 0)).isSameAs(split.validation());
        assertThat(Validation.selectionText(split.validation(), 1_000_000)).isSameAs(split.validation());
    }

    @Test
    void checkpointsWaitForTheirIntervalAndTheBestWeightsWaitInMemoryUntilTheRunStops() throws Exception {
        train(dir, null, "checkpoint_seconds=100000", "eval_every=5", "iterations=30");
        ModelFile.Loaded latest = ModelFile.load(dir.resolve("checkpoints/latest.zip"));
        ModelFile.Loaded best = ModelFile.load(dir.resolve("checkpoints/best.zip"));
        ModelFile.Loaded model = ModelFile.load(dir.resolve("model.zip"));
        JsonNode metrics = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
        assertThat(metrics.get("evaluations")).as("six validations").hasSize(6);
        assertThat(latest.metadata().training().iterations()).as("one checkpoint: at the stop").isEqualTo(30);
        long bestIteration = metrics.get("best_iteration").asLong();
        assertThat(best.metadata().training().iterations()).isEqualTo(bestIteration);
        assertThat(best.network().params()).as("best.zip holds the best weights, written late")
                .isEqualTo(model.network().params());
        Training.Summary resumed = train(null, dir, "iterations=40");
        assertThat(resumed.iterations()).isEqualTo(40);
    }

    @Test
    void resumingContinuesExactlyWhereTheCheckpointLeftOff() throws Exception {
        Path straight = dir.resolve("straight");
        Path split = dir.resolve("split");
        train(straight, null, "iterations=20");
        train(split, null, "iterations=10");
        Training.Summary resumed = train(null, split, "iterations=20");

        assertThat(resumed.iterations()).isEqualTo(20);
        assertThat(resumed.outDir()).isEqualTo(split);
        var a = ModelFile.load(straight.resolve("checkpoints/latest.zip")).network().params();
        var b = ModelFile.load(split.resolve("checkpoints/latest.zip")).network().params();
        assertThat(b.equalsWithEps(a, 1e-6)).as("resumed weights equal uninterrupted weights").isTrue();
        JsonNode metrics = new ObjectMapper().readTree(split.resolve("metrics.json").toFile());
        assertThat(metrics.get("evaluations")).hasSize(2);
    }

    @Test
    void theBlasEngineTakesOneThreadPerCoreButNoShardThinnerThanSixteenRows() {
        TrainConfig c = TinyModels.config();
        assertThat(TrainingEngine.blasThreads(c, 64, 2)).isEqualTo(2);
        assertThat(TrainingEngine.blasThreads(c, 64, 64)).isEqualTo(4);
        assertThat(TrainingEngine.blasThreads(c, 32, 2)).isEqualTo(2);
        assertThat(TrainingEngine.blasThreads(c, 8, 16)).isEqualTo(1);
        assertThat(TrainingEngine.blasThreads(c.with("threads", 3), 8, 2)).isEqualTo(3);
    }

    @Test
    void dl4jsOwnEngineTrainsWhereItsGradientIsRightAndARunResumesOnAnyEngine() throws Exception {
        // One segment per chunk: the only shape in which DL4J's own truncated BPTT is correct.
        Training.Summary first = train(dir, null, "iterations=10", "engine=dl4j", "chunk_length=10", "eval_every=10");
        JsonNode metrics = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
        assertThat(metrics.get("engine").asText()).isEqualTo("dl4j");
        assertThat(metrics.get("threads").asInt()).isEqualTo(1);

        Training.Summary resumed = train(null, dir, "iterations=20", "engine=nd4j");
        metrics = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
        assertThat(resumed.iterations()).isEqualTo(20);
        assertThat(metrics.get("engine").asText()).isEqualTo("nd4j");
        assertThat(resumed.bestValLossNats()).isLessThan(first.bestValLossNats());
        assertThatThrownBy(() -> TinyModels.config().with("engine", "gpu"))
                .hasMessage("'engine' must be auto, blas, nd4j or dl4j, got 'gpu'");
    }

    @Test
    void theEngineIsChosenOnceForTheBackendAndNeverFallsBackToDl4jsWrongGradient() {
        TrainConfig c = TinyModels.config(); // chunk_length 20, tbptt_length 10: two segments per chunk
        assertThat(TrainingEngine.choose(c, "cpu")).isEqualTo(TrainingEngine.BLAS);
        assertThat(TrainingEngine.choose(c, "cuda")).isEqualTo(TrainingEngine.ND4J);
        assertThat(TrainingEngine.choose(c.with("engine", "nd4j"), "cpu")).isEqualTo(TrainingEngine.ND4J);
        assertThat(TrainingEngine.choose(c.with("workers", "4"), "cuda")).isEqualTo(TrainingEngine.ND4J);
        assertThatThrownBy(() -> TrainingEngine.choose(c.with("engine", "blas"), "cuda"))
                .hasMessage("engine 'blas' runs on the CPU backend only, and this one is 'cuda'; use engine 'auto' or 'nd4j'");
        assertThatThrownBy(() -> TrainingEngine.choose(c.with("engine", "dl4j"), "cpu"))
                .hasMessageStartingWith("engine 'dl4j' computes a wrong gradient on every truncated-BPTT segment after the first");
        TrainConfig oneSegment = c.with("engine", "dl4j").with("chunk_length", "10");
        assertThat(TrainingEngine.choose(oneSegment, "cpu")).isEqualTo(TrainingEngine.DL4J);
        assertThatThrownBy(() -> TrainingEngine.choose(oneSegment.with("workers", "2"), "cpu"))
                .hasMessageStartingWith("engine 'dl4j' runs one worker");
    }

    @Test
    void workersAverageTheGradientOfTheirBatchesInOneStepOnTheEngine() throws Exception {
        Training.Summary one = train(dir.resolve("one"), null, "workers=1");
        Training.Summary two = train(dir.resolve("two"), null, "workers=2");
        JsonNode oneMetrics = new ObjectMapper().readTree(dir.resolve("one/metrics.json").toFile());
        JsonNode twoMetrics = new ObjectMapper().readTree(dir.resolve("two/metrics.json").toFile());
        assertThat(twoMetrics.get("engine").asText()).isEqualTo("blas");
        assertThat(two.iterations()).isEqualTo(one.iterations()).isEqualTo(30);
        assertThat(twoMetrics.get("train_chars").asLong()).as("an iteration counts both workers' chunks")
                .isEqualTo(2 * oneMetrics.get("train_chars").asLong());
        JsonNode evals = twoMetrics.get("evaluations");
        assertThat(evals.get(2).get("val_loss").asDouble()).isLessThan(evals.get(0).get("val_loss").asDouble());

        // Two workers resume like one: the checkpoint holds everything, workers included.
        Path resumable = dir.resolve("resumed");
        train(resumable, null, "workers=2", "iterations=10");
        Training.Summary resumed = train(null, resumable, "iterations=30");
        var straight = ModelFile.load(dir.resolve("two/checkpoints/latest.zip")).network().params();
        var split = ModelFile.load(resumable.resolve("checkpoints/latest.zip")).network().params();
        assertThat(resumed.iterations()).isEqualTo(30);
        assertThat(split.equalsWithEps(straight, 1e-6)).as("a resumed two-worker run equals an uninterrupted one").isTrue();
    }

    @Test
    void resumingRefusesChangesTheCheckpointCannotTake() throws Exception {
        train(dir, null, "iterations=10");
        assertThatThrownBy(() -> train(null, dir, "iterations=20", "hidden_size=32"))
                .hasMessage("'hidden_size' cannot change when resuming (the checkpoint has 16)");
        ModelFile.Loaded finished = ModelFile.load(dir.resolve("model.zip"));
        assertThat(finished.checkpointState()).isEmpty();
        assertThatThrownBy(() -> train(null, dir.resolve("model.zip"), "iterations=20"))
                .hasMessageContaining("has no optimiser state");
        assertThatThrownBy(() -> train(null, dir.resolve("nothing-here"), "iterations=20"))
                .hasMessageContaining("no checkpoint to resume from");
    }

    @Test
    void earlyStoppingEndsTheRunWhenValidationStopsImproving() throws Exception {
        // Validating after every iteration with patience 1, the first noisy step that does not improve stops it.
        Training.Summary s = train(dir, null, "iterations=400", "eval_every=1", "patience=1", "learning_rate=0.05");
        assertThat(s.stopReason()).isEqualTo("early_stop");
        assertThat(s.iterations()).isLessThan(400);
        assertThat(Files.exists(dir.resolve("model.zip"))).isTrue();
    }

    @Test
    void corpusShorterThanAChunkIsAClearError() throws Exception {
        Path tiny = dir.resolve("tiny.txt");
        Files.writeString(tiny, "Too short.");
        TrainConfig config = TinyModels.config().with("corpus", tiny.toString());
        assertThatThrownBy(() -> Training.prepare(new Training.Request(config, List.of(), dir.resolve("o"), null, false))
                .execute()).hasMessageContaining("fewer than one chunk");
    }

    @Test
    void divergenceStopsAndKeepsTheLastGoodCheckpoint() throws Exception {
        train(dir, null, "iterations=10");
        Path latest = dir.resolve("checkpoints/latest.zip");
        ModelFile.Loaded good = ModelFile.load(latest, true);
        good.network().params().assign(Double.NaN); // what an exploding update leaves behind
        Path poisoned = dir.resolve("poisoned");
        ModelFile.saveCheckpoint(poisoned.resolve("checkpoints/latest.zip"), good.network(), good.metadata(),
                good.checkpointState().orElseThrow());
        Files.copy(dir.resolve("corpus.txt"), poisoned.resolve("corpus.txt"));
        byte[] before = Files.readAllBytes(poisoned.resolve("checkpoints/latest.zip"));

        Training.Summary s = train(null, poisoned, "iterations=20");

        assertThat(s.diverged()).isTrue();
        assertThat(s.iterations()).isEqualTo(10);
        assertThat(s.model()).isNull();
        assertThat(Files.readAllBytes(poisoned.resolve("checkpoints/latest.zip"))).isEqualTo(before);
        assertThat(Files.exists(poisoned.resolve("model.zip"))).isFalse();
        JsonNode metrics = new ObjectMapper().readTree(poisoned.resolve("metrics.json").toFile());
        assertThat(metrics.get("stop_reason").asText()).isEqualTo("diverged");
    }
}

package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.charlstm.corpus.Corpus;
import dev.charlstm.model.LossEvaluator;
import dev.charlstm.testing.Fixtures;
import dev.charlstm.testing.TinyModels;
import dev.charlstm.text.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidationTest {

    @TempDir
    Path dir;

    private Corpus.Split split() throws Exception {
        return split(0.1);
    }

    private Corpus.Split split(double testFraction) throws Exception {
        Path text = Fixtures.faqHead(dir, 4000);
        return Corpus.fromText(Files.readString(text), Vocabulary.printable(), false).split(0.2, testFraction);
    }

    @Test
    void measuresTheSelectionAndRecordsTheEvaluation() throws Exception {
        TrainConfig config = TinyModels.config().with("eval_chars", 300);
        Corpus.Split split = split();
        MultiLayerNetwork net = TinyModels.network(config);
        Validation validation = new Validation(config, split.validation());
        TrainingState state = new TrainingState();
        state.iteration = 12;
        state.wallSeconds = 3.21987;

        double val = validation.measure(net, state, 4.123456);

        assertThat(validation.selectionChars()).isEqualTo(300);
        assertThat(val).isCloseTo(LossEvaluator.nats(net, Validation.selectionText(split.validation(), 300),
                Validation.EVAL_STREAMS, config.tbpttLength()), within(1e-9));
        assertThat(state.lastEvaluation()).isEqualTo(new TrainingState.Evaluation(12, 3.2199, 4.1235,
                Decimals.round4(val)));
    }

    @Test
    void heldOutReadsTheWholeValidationAndTheTestText() throws Exception {
        TrainConfig config = TinyModels.config().with("eval_chars", 300);
        Corpus.Split split = split();
        MultiLayerNetwork net = TinyModels.network(config);

        Map<String, Object> heldOut = new Validation(config, split.validation()).heldOut(net, split);

        assertThat(heldOut).containsEntry("selection_val_chars", 300)
                .containsEntry("val_chars", split.validation().length)
                .containsEntry("test_chars", split.test().length)
                .containsKeys("full_val_loss_nats", "test_loss_nats", "test_bpc");
        assertThat(heldOut.keySet()).containsExactly("selection_val_chars", "val_chars", "full_val_loss_nats",
                "test_chars", "test_loss_nats", "test_bpc");
    }

    @Test
    void whenTheSelectionIsTheWholeValidationTextItIsNotMeasuredTwice() throws Exception {
        TrainConfig config = TinyModels.config().with("eval_chars", 0);
        Corpus.Split split = split(0.0);

        Map<String, Object> heldOut = new Validation(config, split.validation())
                .heldOut(TinyModels.network(config), split);

        assertThat(heldOut).doesNotContainKeys("full_val_loss_nats", "test_loss_nats")
                .containsEntry("selection_val_chars", split.validation().length).containsEntry("test_chars", 0);
    }
}

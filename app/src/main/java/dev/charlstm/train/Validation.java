package dev.charlstm.train;

import static dev.charlstm.train.Decimals.fmt;
import static dev.charlstm.train.Decimals.round4;

import dev.charlstm.corpus.Corpus;
import dev.charlstm.model.LossEvaluator;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures networks on held-out text: during the run on a fixed stretch of the validation text
 * (the selection), after it the chosen model on all of the validation and test text it can
 * afford to read.
 */
final class Validation {

    private static final Logger log = LoggerFactory.getLogger(Validation.class);

    /** Rows the validation text is read in, side by side, whatever the batch: the same protocol for every run. */
    static final int EVAL_STREAMS = 32;

    /** Share of the time budget the measurements after the run may take. */
    static final double FINAL_EVAL_SHARE = 0.05;

    private final TrainConfig config;
    private final int[] selection;
    private double charsPerSecond;

    /** @param validation the whole validation text, of which the first {@code eval_chars} are measured during the run */
    Validation(TrainConfig config, int[] validation) {
        this.config = config;
        this.selection = selectionText(validation, config.evalChars());
    }

    /**
     * The validation text measured during the run: a fixed stretch at its start, so every
     * validation of the run (and of a resumed run) measures the same characters.
     */
    static int[] selectionText(int[] validation, int evalChars) {
        return evalChars == 0 || evalChars >= validation.length ? validation : Arrays.copyOf(validation, evalChars);
    }

    /** Characters measured at each validation. */
    int selectionChars() {
        return selection.length;
    }

    /**
     * Measures {@code net} on the selection and records the evaluation in {@code state}.
     *
     * @return the validation loss, in nats per character
     */
    double measure(MultiLayerNetwork net, TrainingState state, double trainLoss) {
        long start = System.nanoTime();
        double val = LossEvaluator.nats(net, selection, EVAL_STREAMS, config.tbpttLength());
        charsPerSecond = selection.length / Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        state.evaluations.add(new TrainingState.Evaluation(state.iteration, round4(state.wallSeconds),
                round4(trainLoss), round4(val)));
        return val;
    }

    /**
     * The chosen model on the whole validation text and on the test text, which no decision of
     * the run has seen: the honest estimate of how it does on text like this. Each is read up to
     * {@link #finalEvalChars}.
     */
    Map<String, Object> heldOut(MultiLayerNetwork best, Corpus.Split split) {
        Map<String, Object> m = new LinkedHashMap<>();
        int cap = finalEvalChars();
        int[] validation = selectionText(split.validation(), cap);
        int[] test = selectionText(split.test(), cap);
        m.put("selection_val_chars", selection.length);
        m.put("val_chars", validation.length);
        if (selection.length < validation.length) {
            double full = LossEvaluator.nats(best, validation, EVAL_STREAMS, config.tbpttLength());
            m.put("full_val_loss_nats", round4(full));
            log.info("The chosen model on {} validation characters: {} nats/char", validation.length, fmt(full));
        }
        m.put("test_chars", test.length);
        if (test.length >= 2) {
            double loss = LossEvaluator.nats(best, test, EVAL_STREAMS, config.tbpttLength());
            m.put("test_loss_nats", round4(loss));
            m.put("test_bpc", round4(LossEvaluator.bitsPerChar(loss)));
            log.info("The chosen model on the {} test characters: {} nats/char = {} bits/char", test.length,
                    fmt(loss), fmt(LossEvaluator.bitsPerChar(loss)));
        }
        return m;
    }

    /**
     * The most held-out characters measured after the run, of each of validation and test: as many
     * as the validations' measured speed reads in {@value #FINAL_EVAL_SHARE} of the time budget,
     * and never fewer than a validation reads. For texts of a few hundred kilobytes that is all of
     * them; a large corpus does not overrun its budget by minutes.
     */
    private int finalEvalChars() {
        if (charsPerSecond <= 0) {
            return Integer.MAX_VALUE;
        }
        double affordable = FINAL_EVAL_SHARE * config.maxSeconds() * charsPerSecond / 2; // validation and test
        return (int) Math.max(selection.length, Math.min(Integer.MAX_VALUE, affordable));
    }
}

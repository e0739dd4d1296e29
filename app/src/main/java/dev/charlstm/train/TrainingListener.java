package dev.charlstm.train;

/**
 * Something that follows a training run from outside the loop: the progress bar, the loss chart.
 * The loop calls every listener at the same three points, in the order they were given; a
 * listener reads the state and must not change it.
 */
interface TrainingListener {

    /** After each iteration whose loss was finite; {@code state} already counts it. */
    default void onIteration(TrainingState state, double loss) { }

    /**
     * After each validation, its evaluation already in {@code state}.
     *
     * @param checkpointed whether the validation wrote a checkpoint
     */
    default void onValidation(TrainingState state, double valLoss, boolean checkpointed) { }

    /** Once, after the final model and the metrics are written. */
    default void onEnd(TrainingState state, Trainer.Outcome outcome) { }
}

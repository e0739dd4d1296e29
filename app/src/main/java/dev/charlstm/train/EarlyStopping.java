package dev.charlstm.train;

/**
 * Keeps the best validation loss of the run and stops it after {@code patience} validations
 * without a better one (0 = never). Its count lives in {@link TrainingState}, so a resumed run
 * keeps its patience.
 */
final class EarlyStopping {

    private final int patience;

    EarlyStopping(int patience) {
        this.patience = patience;
    }

    /** Records a validation loss in {@code state}; returns whether it is the best of the run so far. */
    boolean record(TrainingState state, double valLoss) {
        if (state.bestValLoss == null || valLoss < state.bestValLoss) {
            state.bestValLoss = valLoss;
            state.bestIteration = state.iteration;
            state.evalsSinceBest = 0;
            return true;
        }
        state.evalsSinceBest++;
        return false;
    }

    /** Whether patience has run out. */
    boolean shouldStop(TrainingState state) {
        return patience > 0 && state.evalsSinceBest >= patience;
    }
}

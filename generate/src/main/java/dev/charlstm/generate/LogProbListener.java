package dev.charlstm.generate;

import java.util.List;

/**
 * A {@link Generator.StreamListener} that also wants each character's log-probabilities. Text
 * arrives exactly as for a plain listener (held back while it could be the start of a stop
 * string), with one {@link CharLogProbs} per character of it.
 */
public interface LogProbListener extends Generator.StreamListener {

    /** How many of the likeliest characters to report per position (0 for the chosen one alone). */
    int topLogProbs();

    /** @param logProbs one entry per character of {@code text}, in order */
    void onText(int sample, String text, List<CharLogProbs> logProbs);

    @Override
    default void onText(int sample, String text) {
        throw new UnsupportedOperationException("a LogProbListener receives text with its log-probabilities");
    }
}

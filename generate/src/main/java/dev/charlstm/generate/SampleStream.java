package dev.charlstm.generate;

import dev.charlstm.text.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One sample being generated: its LSTM state, its own random numbers, its text and its stop-string
 * bookkeeping. Only the thread stepping it touches it, except {@link #cancel()}.
 */
final class SampleStream {

    final int index;
    final long seed;
    final CharLstm.State state;
    final float[] logits;
    private final SplittableRandom random;
    private final NextCharacter next;
    private final List<String> stops;
    private final int length;
    private final Vocabulary vocabulary;
    private final Generator.StreamListener listener;
    final StringBuilder text = new StringBuilder();
    /** Per character of {@link #text} when the listener asked for log-probabilities, else null. */
    private final List<CharLogProbs> logProbs;
    private final int topLogProbs;
    private int emitted;
    private String stoppedBy;
    private boolean done;
    private volatile boolean cancelled;

    SampleStream(int index, long seed, CharLstm.State state, float[] logits, GenerationOptions options,
                 Vocabulary vocabulary, Generator.StreamListener listener) {
        this.index = index;
        this.seed = seed;
        this.state = state;
        this.logits = logits;
        this.random = new SplittableRandom(seed);
        this.next = new NextCharacter(options.temperature(), options.topK(), options.topP(), logits.length);
        this.stops = options.stop();
        this.length = options.length();
        this.vocabulary = vocabulary;
        this.listener = listener;
        this.topLogProbs = listener instanceof LogProbListener l ? l.topLogProbs() : -1;
        this.logProbs = topLogProbs >= 0 ? new ArrayList<>() : null;
        this.done = length == 0;
    }

    boolean done() {
        return done || cancelled;
    }

    boolean cancelled() {
        return cancelled;
    }

    void cancel() {
        cancelled = true;
    }

    /**
     * Draws the next character from the current logits and records it. Safe on any one thread at a
     * time; the listener hears of it only through {@link #emitReady()}.
     *
     * @return the character's index, to be fed to the network, or -1 when this stream has finished
     */
    int draw() {
        int id = next.pick(logits, random);
        if (logProbs != null) { // before the network overwrites these logits with the next position's
            logProbs.add(CharLogProbs.of(logits, id, topLogProbs, vocabulary.chars()));
        }
        text.append(vocabulary.charAt(id));
        for (String stop : stops) {
            if (endsWith(text, stop)) {
                text.setLength(text.length() - stop.length());
                if (logProbs != null) {
                    logProbs.subList(text.length(), logProbs.size()).clear();
                }
                stoppedBy = stop;
                done = true;
                return -1;
            }
        }
        if (text.length() >= length) {
            done = true;
            return -1;
        }
        return id;
    }

    /** Hands the listener all text that can no longer turn out to be the start of a stop string. */
    void emitReady() {
        emit(done ? text.length() : text.length() - heldBack());
    }

    Sample sample(String prime) {
        return new Sample(prime, text.toString(), seed, stoppedBy);
    }

    private void emit(int upTo) {
        if (upTo > emitted) {
            if (logProbs != null) {
                ((LogProbListener) listener).onText(index, text.substring(emitted, upTo),
                        List.copyOf(logProbs.subList(emitted, upTo)));
            } else {
                listener.onText(index, text.substring(emitted, upTo));
            }
            emitted = upTo;
        }
    }

    /** Length of the longest tail of the text that some stop string starts with: held back from the listener. */
    private int heldBack() {
        int held = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, text.length()); k > held; k--) {
                if (tailEquals(text, stop, k)) {
                    held = k;
                    break;
                }
            }
        }
        return held;
    }

    /** Whether the last {@code k} characters of {@code sb} are the first {@code k} of {@code s}. */
    private static boolean tailEquals(StringBuilder sb, String s, int k) {
        int offset = sb.length() - k;
        for (int i = 0; i < k; i++) {
            if (sb.charAt(offset + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean endsWith(StringBuilder sb, String suffix) {
        int n = sb.length() - suffix.length();
        return n >= 0 && sb.indexOf(suffix, n) == n;
    }
}

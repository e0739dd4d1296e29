package dev.charlstm.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.charlstm.text.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One sample's bookkeeping, with the network replaced by logits the test sets before each draw:
 * the length cap, stop strings (cut from the text, and held back from the listener while they
 * may still be starting), cancellation, and log-probabilities that stay aligned with the text.
 */
class SampleStreamTest {

    private static final Vocabulary ABC = Vocabulary.of("abc");

    private final StringBuilder heard = new StringBuilder();
    private final List<String> pieces = new ArrayList<>();

    private SampleStream stream(GenerationOptions options, Generator.StreamListener listener) {
        return new SampleStream(0, 1L, new CharLstm.State(1, 2), new float[3], options, ABC, listener);
    }

    private SampleStream stream(GenerationOptions options) {
        return stream(options, (i, text) -> {
            heard.append(text);
            pieces.add(text);
        });
    }

    private static GenerationOptions options(int length, String... stops) {
        return GenerationOptions.builder().length(length).temperature(0.05).stop(List.of(stops)).build();
    }

    /** Makes {@code c} all but certain at the next draw, as the network would by its logits. */
    private static void steer(SampleStream s, char c) {
        Arrays.fill(s.logits, 0f);
        s.logits[ABC.chars().indexOf(c)] = 50f;
    }

    /** Draws the characters of {@code text}, emitting after each as the generator does. */
    private static int[] draw(SampleStream s, String text) {
        int[] ids = new int[text.length()];
        for (int i = 0; i < text.length(); i++) {
            steer(s, text.charAt(i));
            ids[i] = s.draw();
            s.emitReady();
        }
        return ids;
    }

    @Test
    void stopsAtItsLengthAndTellsTheListenerEverything() {
        SampleStream s = stream(options(4));
        int[] ids = draw(s, "abca");
        assertThat(ids).containsExactly(0, 1, 2, -1); // the last character is not fed back
        assertThat(s.done()).isTrue();
        assertThat(s.sample("x")).isEqualTo(new Sample("x", "abca", 1L, null));
        assertThat(heard).hasToString("abca");
    }

    @Test
    void aStopStringEndsTheSampleAndIsCutFromItsText() {
        SampleStream s = stream(options(100, "ab"));
        assertThat(draw(s, "cab")).containsExactly(2, 0, -1);
        assertThat(s.sample("")).isEqualTo(new Sample("", "c", 1L, "ab"));
        assertThat(heard).hasToString("c");
    }

    @Test
    void textThatMayStartAStopStringIsHeldBackUntilItCannot() {
        SampleStream s = stream(options(100, "abc"));
        draw(s, "ca");
        assertThat(heard).hasToString("c"); // "a" could be the start of "abc"
        draw(s, "b");
        assertThat(heard).hasToString("c"); // so could "ab"
        draw(s, "a");
        assertThat(heard).hasToString("cab"); // "aba" cannot end as "abc" before its last "a"
        assertThat(pieces).containsExactly("c", "ab");
        assertThat(s.done()).isFalse();
    }

    @Test
    void aCancelledStreamIsDone() {
        SampleStream s = stream(options(100));
        draw(s, "ab");
        s.cancel();
        assertThat(s.done()).isTrue();
        assertThat(s.cancelled()).isTrue();
    }

    @Test
    void aZeroLengthSampleIsDoneAtOnce() {
        assertThat(stream(options(0)).done()).isTrue();
    }

    @Test
    void logProbabilitiesStayOnePerCharacterOfTheText() {
        List<CharLogProbs> got = new ArrayList<>();
        LogProbListener listener = new LogProbListener() {
            @Override
            public int topLogProbs() {
                return 2;
            }

            @Override
            public void onText(int sample, String text, List<CharLogProbs> logProbs) {
                assertThat(logProbs).hasSize(text.length());
                heard.append(text);
                got.addAll(logProbs);
            }
        };
        SampleStream s = stream(options(100, "bc"), listener);
        draw(s, "aabc");
        assertThat(heard).hasToString("aa");
        assertThat(got).extracting(CharLogProbs::character).containsExactly('a', 'a');
        assertThat(got.get(0).top()).hasSize(2);
        assertThat(got.get(0).logProb()).isCloseTo(0.0, within(1e-6));
    }
}

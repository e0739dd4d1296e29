package dev.charlstm.text;

import java.text.Normalizer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Folds text onto a vocabulary the way the corpus was folded, so that training text, prime
 * text and scored text all meet the model in the same form.
 *
 * <p>Steps, in order: Unicode NFKC (which also turns the ellipsis into three dots and no-break
 * spaces into spaces); accents removed from Latin letters (é → e); typographic quotes and dashes
 * to ASCII (’ ‘ → ', “ ” → ", – → -, — → --); characters still outside the vocabulary dropped and
 * counted; runs of spaces collapsed to one.
 *
 * <pre>{@code
 * TextNormalizer.Result r = TextNormalizer.forVocabulary(Vocabulary.printable()).normalize("Café — “open”");
 * r.text();      // "Cafe -- \"open\""
 * r.dropped();   // {} : nothing was outside the vocabulary
 * }</pre>
 */
public final class TextNormalizer {

    /** Version of these rules; stored in model files so that a loader can tell if they changed. */
    public static final int RULES_VERSION = 1;

    private static final Map<Character, String> TYPOGRAPHIC = Map.of(
            '\u2018', "'", '\u2019', "'", '\u201A', "'", '\u2032', "'",
            '\u201C', "\"", '\u201D', "\"", '\u201E', "\"",
            '\u2013', "-", '\u2212', "-",
            '\u2014', "--");
    private static final Pattern COMBINING_MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern SPACE_RUNS = Pattern.compile(" {2,}");

    private final Vocabulary vocabulary;

    private TextNormalizer(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
    }

    public static TextNormalizer forVocabulary(Vocabulary vocabulary) {
        return new TextNormalizer(Objects.requireNonNull(vocabulary, "vocabulary"));
    }

    /**
     * The normalised text and what had to be dropped from it.
     *
     * @param dropped count per dropped character, most frequent first
     */
    public record Result(String text, Map<Character, Integer> dropped) {
        public int droppedCount() {
            return dropped.values().stream().mapToInt(Integer::intValue).sum();
        }

        /** "12 dropped: '€' (U+20AC) ×7, ..." — the top offenders, for logs and errors. */
        public String droppedSummary(int top) {
            StringBuilder sb = new StringBuilder().append(droppedCount()).append(" dropped");
            String sep = ": ";
            int shown = 0;
            for (Map.Entry<Character, Integer> e : dropped.entrySet()) {
                if (shown++ == top) {
                    sb.append(", ...");
                    break;
                }
                sb.append(sep).append(Vocabulary.describe(e.getKey())).append(" x").append(e.getValue());
                sep = ", ";
            }
            return sb.toString();
        }
    }

    /** Thrown in strict mode for the first character outside the vocabulary. */
    public static final class OutOfVocabularyException extends IllegalArgumentException {
        OutOfVocabularyException(char c, int position) {
            super("character " + Vocabulary.describe(c) + " at position " + position
                    + " of the normalised text is not in the vocabulary");
        }
    }

    /** Normalises and drops what the vocabulary lacks, counting it. */
    public Result normalize(String text) {
        return run(text, false);
    }

    /** Normalises and fails on the first character the vocabulary lacks. */
    public String normalizeStrict(String text) {
        return run(text, true).text();
    }

    private Result run(String text, boolean strict) {
        Objects.requireNonNull(text, "text");
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC);
        s = COMBINING_MARKS.matcher(Normalizer.normalize(s, Normalizer.Form.NFD)).replaceAll("");
        s = Normalizer.normalize(s, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(s.length());
        Map<Character, Integer> dropped = new TreeMap<>();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String folded = TYPOGRAPHIC.get(c);
            if (folded != null) {
                out.append(folded);
            } else if (vocabulary.contains(c)) {
                out.append(c);
            } else if (strict) {
                throw new OutOfVocabularyException(c, out.length());
            } else {
                dropped.merge(c, 1, Integer::sum);
            }
        }
        return new Result(SPACE_RUNS.matcher(out).replaceAll(" "), byCountDescending(dropped));
    }

    private static Map<Character, Integer> byCountDescending(Map<Character, Integer> counts) {
        Map<Character, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<Character, Integer>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }
}

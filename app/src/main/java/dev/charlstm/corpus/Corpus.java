package dev.charlstm.corpus;

import dev.charlstm.text.TextNormalizer;
import dev.charlstm.text.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * A normalised training text as vocabulary indices, with its contiguous train/validation/test split.
 *
 * <pre>{@code
 * Corpus corpus = Corpus.fromText(Files.readString(path), Vocabulary.printable(), false);
 * Corpus.Split split = corpus.split(0.1);   // the last 10% validates
 * }</pre>
 */
public final class Corpus {

    private final String text;
    private final int[] ids;
    private final Vocabulary vocabulary;
    private final TextNormalizer.Result normalization;

    private Corpus(TextNormalizer.Result normalization, Vocabulary vocabulary) {
        this.text = normalization.text();
        this.ids = vocabulary.encode(text);
        this.vocabulary = vocabulary;
        this.normalization = normalization;
    }

    /**
     * Normalises raw text onto the vocabulary.
     *
     * @param strict fail on characters outside the vocabulary instead of dropping them
     * @throws IllegalArgumentException when nothing is left, or (strict) on the first unknown character
     */
    public static Corpus fromText(String raw, Vocabulary vocabulary, boolean strict) {
        Objects.requireNonNull(raw, "raw");
        TextNormalizer normalizer = TextNormalizer.forVocabulary(vocabulary);
        TextNormalizer.Result result = strict
                ? new TextNormalizer.Result(normalizer.normalizeStrict(raw), Map.of())
                : normalizer.normalize(raw);
        if (result.text().isBlank()) {
            throw new IllegalArgumentException("the corpus is empty after normalisation"
                    + (result.droppedCount() > 0 ? " (" + result.droppedSummary(5) + ")" : ""));
        }
        return new Corpus(result, vocabulary);
    }

    /**
     * Training, validation and test indices, in that order along the text: the test text is the
     * contiguous tail, the validation text the part just before it.
     */
    public record Split(int[] train, int[] validation, int[] test) {}

    /** Splits off the last {@code validationFraction} of the text for validation, and no test text. */
    public Split split(double validationFraction) {
        return split(validationFraction, 0);
    }

    /**
     * Splits off the last {@code testFraction} of the text as test text, and the
     * {@code validationFraction} before it for validation. Model selection uses only the
     * validation text, so the test text gives an unbiased estimate of the chosen model.
     *
     * @param validationFraction in [0, 0.5]
     * @param testFraction       in [0, 0.5]
     */
    public Split split(double validationFraction, double testFraction) {
        if (!(validationFraction >= 0 && validationFraction <= 0.5)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 0.5], got " + validationFraction);
        }
        if (!(testFraction >= 0 && testFraction <= 0.5)) {
            throw new IllegalArgumentException("test fraction must be in [0, 0.5], got " + testFraction);
        }
        int testStart = (int) (ids.length * (1 - testFraction));
        int validationStart = (int) (ids.length * (1 - testFraction - validationFraction));
        return new Split(Arrays.copyOfRange(ids, 0, validationStart), Arrays.copyOfRange(ids, validationStart, testStart),
                Arrays.copyOfRange(ids, testStart, ids.length));
    }

    public String text() {
        return text;
    }

    public int length() {
        return ids.length;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** What normalisation dropped from the raw text (empty in strict mode). */
    public TextNormalizer.Result normalization() {
        return normalization;
    }

    /** Hex SHA-256 of the normalised text: identifies exactly what a model was trained on. */
    public String sha256() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

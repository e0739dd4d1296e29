package dev.charlstm.text;

import java.util.Arrays;
import java.util.Objects;

/**
 * The characters a model knows, each with a fixed index.
 *
 * <p>The default is Python's {@code string.printable} in its own order (digits, lowercase,
 * uppercase, punctuation, then space, tab, newline, carriage return, vertical tab, form feed),
 * so that indices match the classic char-RNN notebooks this project follows.
 *
 * <pre>{@code
 * Vocabulary v = Vocabulary.printable();
 * int[] ids = v.encode("Th");      // {55, 17}
 * String back = v.decode(ids);     // "Th"
 * }</pre>
 */
public final class Vocabulary {

    private static final String PRINTABLE = "0123456789"
            + "abcdefghijklmnopqrstuvwxyz"
            + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            + "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
            + " \t\n\r\u000b\u000c";

    private static final Vocabulary PRINTABLE_VOCABULARY = new Vocabulary(PRINTABLE);

    private final String chars;
    private final int[] indexByChar;

    private Vocabulary(String chars) {
        this.chars = chars;
        int max = chars.chars().max().orElse(0);
        this.indexByChar = new int[max + 1];
        Arrays.fill(indexByChar, -1);
        for (int i = 0; i < chars.length(); i++) {
            if (indexByChar[chars.charAt(i)] != -1) {
                throw new IllegalArgumentException("vocabulary repeats the character " + describe(chars.charAt(i)));
            }
            indexByChar[chars.charAt(i)] = i;
        }
    }

    /** The 100 characters of Python's {@code string.printable}, in order. */
    public static Vocabulary printable() {
        return PRINTABLE_VOCABULARY;
    }

    /** A vocabulary of exactly these characters, in this order (as stored in a model file). */
    public static Vocabulary of(String chars) {
        Objects.requireNonNull(chars, "chars");
        if (chars.isEmpty()) {
            throw new IllegalArgumentException("a vocabulary needs at least one character");
        }
        return chars.equals(PRINTABLE) ? PRINTABLE_VOCABULARY : new Vocabulary(chars);
    }

    public int size() {
        return chars.length();
    }

    /** All characters in index order. */
    public String chars() {
        return chars;
    }

    public boolean contains(char c) {
        return indexOf(c) >= 0;
    }

    /** The index of {@code c}, or -1 when the vocabulary does not have it. */
    public int indexOf(char c) {
        return c < indexByChar.length ? indexByChar[c] : -1;
    }

    public char charAt(int index) {
        return chars.charAt(index);
    }

    /** Indices of every character of {@code text}; fails on the first one outside the vocabulary. */
    public int[] encode(CharSequence text) {
        int[] ids = new int[text.length()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = indexOf(text.charAt(i));
            if (ids[i] < 0) {
                throw new IllegalArgumentException("character " + describe(text.charAt(i))
                        + " at position " + i + " is not in the vocabulary");
            }
        }
        return ids;
    }

    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) {
            sb.append(chars.charAt(id));
        }
        return sb.toString();
    }

    /** A character as a person can read it in an error message: {@code 'é' (U+00E9)}. */
    public static String describe(char c) {
        String shown = Character.isISOControl(c) || Character.isWhitespace(c) ? "" : "'" + c + "' ";
        return shown + String.format("(U+%04X)", (int) c);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && v.chars.equals(chars);
    }

    @Override
    public int hashCode() {
        return chars.hashCode();
    }

    @Override
    public String toString() {
        return "Vocabulary[" + chars.length() + " chars]";
    }
}

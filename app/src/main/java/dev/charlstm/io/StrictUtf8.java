package dev.charlstm.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Decodes UTF-8 that must be UTF-8: a malformed sequence (a stray byte, an overlong form, an
 * encoded surrogate) is an error rather than a silent U+FFFD. Text a user hands to charlstm (a
 * corpus, a text to score, a token file, a request body) is refused whole, with a message the
 * caller words, instead of being trained on or compared with replacement characters in it.
 *
 * <pre>{@code
 * try {
 *     String text = StrictUtf8.read(path);
 * } catch (CharacterCodingException e) {
 *     throw new IllegalArgumentException(path + " is not UTF-8 text");
 * }
 * }</pre>
 */
public final class StrictUtf8 {

    private StrictUtf8() {}

    /** {@code bytes} as text; throws {@link CharacterCodingException} at the first malformed sequence. */
    public static String decode(byte[] bytes) throws CharacterCodingException {
        // A fresh decoder each time: decoders keep state and are not safe to share between threads.
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }

    /**
     * The whole of {@code file} as text. Throws {@link CharacterCodingException} (an IOException)
     * when it is not valid UTF-8, other IOExceptions when it cannot be read.
     */
    public static String read(Path file) throws IOException {
        return decode(Files.readAllBytes(file));
    }
}

package dev.charlstm.io;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 fingerprints, in the one form the project writes them everywhere: 64 lower-case hex
 * digits of the UTF-8 bytes. A corpus's fingerprint in {@code metrics.json}, in {@code model.zip}
 * and in {@code .provenance.json} must agree byte for byte, so they all come from here.
 *
 * <pre>{@code
 * String sha = Digests.sha256Hex(corpusText);   // "f623f6fa..."
 * }</pre>
 */
public final class Digests {

    private Digests() {}

    /** Hex SHA-256 of {@code text} encoded as UTF-8. */
    public static String sha256Hex(String text) {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Hex SHA-256 of {@code bytes}. */
    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // The Java SE specification requires every runtime to provide SHA-256.
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

package dev.charlstm.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestsTest {

    @Test
    void givesTheStandardSha256AsLowerCaseHex() {
        // FIPS 180-2's test vectors for "" and "abc".
        assertThat(Digests.sha256Hex(""))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(Digests.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void hashesTextAsItsUtf8Bytes() {
        String text = "caf\u00e9 \u2014 \ud83d\ude00";
        assertThat(Digests.sha256Hex(text)).isEqualTo(Digests.sha256Hex(text.getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo(Digests.sha256Hex(text.getBytes(StandardCharsets.UTF_16)))
                .hasSize(64).matches("[0-9a-f]{64}");
    }
}

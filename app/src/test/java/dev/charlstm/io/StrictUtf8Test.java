package dev.charlstm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StrictUtf8Test {

    @Test
    void decodesValidUtf8IncludingCharactersOutsideTheBasicPlane() throws Exception {
        String text = "Masks \u2014 caf\u00e9 \ud83d\ude00\n";
        assertThat(StrictUtf8.decode(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(text);
        assertThat(StrictUtf8.decode(new byte[0])).isEmpty();
    }

    @Test
    void refusesEveryMalformedFormInsteadOfReplacingIt() {
        byte[][] malformed = {
            {'a', (byte) 0xE9, 'b'},                   // Latin-1 é
            {(byte) 0xC0, (byte) 0xAF},                // overlong '/'
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80},   // an encoded surrogate (U+D800)
            {(byte) 0xE2, (byte) 0x80},                // truncated at the end
            {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
        };
        for (byte[] bytes : malformed) {
            assertThatThrownBy(() -> StrictUtf8.decode(bytes)).isInstanceOf(CharacterCodingException.class);
        }
        // What the lenient JDK calls would have made of the first one.
        assertThat(new String(malformed[0], StandardCharsets.UTF_8)).isEqualTo("a\ufffdb");
    }

    @Test
    void readsAFileStrictly(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("good.txt"), "\u00e9t\u00e9");
        Path bad = Files.write(dir.resolve("bad.txt"), new byte[] {'x', (byte) 0xFF});
        assertThat(StrictUtf8.read(good)).isEqualTo("\u00e9t\u00e9");
        assertThatThrownBy(() -> StrictUtf8.read(bad)).isInstanceOf(CharacterCodingException.class);
    }
}

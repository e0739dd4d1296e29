package dev.charlstm.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VocabularyTest {

    @Test
    void printableHasPythonsHundredCharactersInPythonsOrder() {
        Vocabulary v = Vocabulary.printable();
        assertThat(v.size()).isEqualTo(100);
        assertThat(v.chars()).startsWith("0123456789abc").endsWith("}~ \t\n\r\u000b\u000c");
        assertThat(v.indexOf('a')).isEqualTo(10);
        assertThat(v.indexOf('T')).isEqualTo(55);
        assertThat(v.indexOf('h')).isEqualTo(17);
        assertThat(v.indexOf('!')).isEqualTo(62);
        assertThat(v.indexOf(' ')).isEqualTo(94);
        assertThat(v.indexOf('\n')).isEqualTo(96);
    }

    @Test
    void encodesAndDecodesRoundTrip() {
        Vocabulary v = Vocabulary.printable();
        int[] ids = v.encode("Th ~\n");
        assertThat(ids).containsExactly(55, 17, 94, 93, 96);
        assertThat(v.decode(ids)).isEqualTo("Th ~\n");
    }

    @Test
    void encodingAnUnknownCharacterNamesItAndItsPosition() {
        assertThatThrownBy(() -> Vocabulary.printable().encode("ab\u00e9"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("character '\u00e9' (U+00E9) at position 2 is not in the vocabulary");
    }

    @Test
    void customVocabularyRejectsRepeats() {
        assertThat(Vocabulary.of("abc").indexOf('c')).isEqualTo(2);
        assertThat(Vocabulary.of(Vocabulary.printable().chars())).isSameAs(Vocabulary.printable());
        assertThatThrownBy(() -> Vocabulary.of("aba")).hasMessageContaining("repeats");
    }
}

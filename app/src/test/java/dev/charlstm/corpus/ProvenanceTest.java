package dev.charlstm.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charlstm.io.Digests;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProvenanceTest {

    private static final Instant NOW = Instant.parse("2021-03-01T00:00:00Z");

    @Test
    void provenanceOfComputesHashAndLengthOfTheUtf8Text() {
        Provenance p = Provenance.of("snapshot", "classpath:x", NOW, 200, "text/html", "é\n");

        // printf 'é\n' | sha256sum
        assertThat(p.sha256()).isEqualTo("edd3a863872a04239eb29ad4bc12fc892b3d4ae57cc7e786a3697816f8e141c2");
        assertThat(p.chars()).isEqualTo(2);
        assertThat(p.describes("é\n")).isTrue();
        assertThat(p.describes("e\n")).isFalse();
    }

    @Test
    void provenanceRejectsBadValues() {
        String sha = Digests.sha256Hex("x");
        assertThatThrownBy(() -> new Provenance("web", "u", NOW, 200, null, sha, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("source");
        assertThatThrownBy(() -> new Provenance("live", "u", NOW, 200, null, "ABC", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sha256");
        assertThatThrownBy(() -> new Provenance("live", "u", NOW, -1, null, sha, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Provenance("live", null, NOW, 200, null, sha, 1))
                .isInstanceOf(NullPointerException.class);
    }
}

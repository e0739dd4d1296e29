package dev.charlstm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charlstm.corpus.SourceText;
import dev.charlstm.scrape.ScrapeException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusSettingTest {

    @TempDir
    Path dir;

    @Test
    void aPathIsReadAsAFileWithFileProvenance() throws Exception {
        Path file = Files.writeString(dir.resolve("faq.txt"), "Q?\nA.\n\nQ2?\nA2.\n");

        SourceText text = new CorpusSetting().read(file.toString());

        assertThat(text.text()).isEqualTo("Q?\nA.\n\nQ2?\nA2.\n");
        assertThat(text.provenance().source()).isEqualTo("file");
        assertThat(text.fallbackUsed()).isFalse();
        assertThat(text.entries()).isEqualTo(2);
    }

    @Test
    void aMissingFileIsAOneLineError() {
        assertThatThrownBy(() -> new CorpusSetting().read(dir.resolve("none.txt").toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("corpus file " + dir.resolve("none.txt") + " does not exist");
    }

    /** Only the default setting falls back to the snapshot: a URL the user gave that fails is their error. */
    @Test
    void anUnreachableUrlFailsInsteadOfFallingBack() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        String url = "http://127.0.0.1:" + port + "/faq";
        assertThatThrownBy(() -> new CorpusSetting().read(url)).isInstanceOf(ScrapeException.class);
    }
}

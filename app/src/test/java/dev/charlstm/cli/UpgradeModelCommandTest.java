package dev.charlstm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charlstm.testing.ConsoleCapture;
import dev.charlstm.testing.TinyModels;
import dev.charlstm.testing.Zips;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class UpgradeModelCommandTest {

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;

    @Test
    void anOldModelIsRefusedByNameThenUpgradedOnceAndSampled() throws Exception {
        Path current = Files.createDirectories(dir.resolve("current")).resolve("model.zip");
        TinyModels.savePeaky(current);
        Path folder = Files.createDirectories(dir.resolve("old"));
        Path old = Zips.withoutPlainWeights(current, folder.resolve("model.zip"));

        assertThat(Main.run("sample", "--model", old.toString(), "--length", "10")).isEqualTo(2);
        assertThat(console.err().strip()).isEqualTo("charlstm: error: " + old + ": was written in format version 1, "
                + "which keeps its weights only in DL4J's form; add the plain weights this library reads with "
                + "`charlstm upgrade-model " + old + "`");

        console.reset();
        assertThat(Main.run("upgrade-model", folder.toString(), current.toString())).isEqualTo(0);
        assertThat(console.out()).contains(old + ": upgraded from format version 1 to 2")
                .contains(current + ": already format version 2; left as it is");

        console.reset();
        assertThat(Main.run("sample", "--model", old.toString(), "--length", "30", "--seed", "4")).isEqualTo(0);
        String upgraded = console.out();
        console.reset();
        assertThat(Main.run("sample", "--model", current.toString(), "--length", "30", "--seed", "4")).isEqualTo(0);
        assertThat(upgraded).isEqualTo(console.out());
    }

    @Test
    void aFileThatIsNotAModelIsOneLine() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.zip"), "not a zip");
        assertThat(Main.run("upgrade-model", text.toString())).isEqualTo(2);
        assertThat(console.err().strip()).startsWith("charlstm: error: " + text + ": not a readable zip file")
                .doesNotContain("\n");
    }
}

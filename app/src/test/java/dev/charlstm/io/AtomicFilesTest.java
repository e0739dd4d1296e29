package dev.charlstm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesWholeFilesReadableByOthersAndKeepsExistingPermissions() throws Exception {
        Path file = dir.resolve("sub").resolve("metrics.json");
        AtomicFiles.writeString(file, "{\"a\":1}");
        assertThat(file).hasContent("{\"a\":1}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));
        AtomicFiles.writeString(file, "{\"a\":2}");
        assertThat(file).hasContent("{\"a\":2}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-rw----");
    }

    @Test
    void aFailingWriterLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        Path file = dir.resolve("model.zip");
        AtomicFiles.writeString(file, "old");
        assertThatThrownBy(() -> AtomicFiles.write(file, out -> {
            out.write("half of the new".getBytes());
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(file).hasContent("old");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }
}

package dev.charlstm.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Damaged copies of model files, for tests of what loaders refuse. */
public final class Zips {

    private Zips() {}

    /** Copies a zip with one entry replaced, or dropped when {@code replacement} is null. */
    public static Path rewrite(Path source, Path target, String entry, byte[] replacement) throws IOException {
        try (ZipFile in = new ZipFile(source.toFile());
             OutputStream os = Files.newOutputStream(target);
             ZipOutputStream out = new ZipOutputStream(os)) {
            for (ZipEntry e : Collections.list(in.entries())) {
                if (!e.getName().equals(entry)) {
                    out.putNextEntry(new ZipEntry(e.getName()));
                    in.getInputStream(e).transferTo(out);
                    out.closeEntry();
                }
            }
            if (replacement != null) {
                out.putNextEntry(new ZipEntry(entry));
                out.write(replacement);
                out.closeEntry();
            }
        }
        return target;
    }
}

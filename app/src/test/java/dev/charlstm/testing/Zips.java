package dev.charlstm.testing;

import dev.charlstm.format.ModelMetadata;
import dev.charlstm.format.PlainWeights;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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

    /**
     * A copy of a model as charlstm wrote it before format version 2: DL4J's entries and the
     * metadata (at version 1), without the plain weights.
     */
    public static Path withoutPlainWeights(Path source, Path target) throws IOException {
        try (ZipFile in = new ZipFile(source.toFile());
             OutputStream os = Files.newOutputStream(target);
             ZipOutputStream out = new ZipOutputStream(os)) {
            for (ZipEntry e : Collections.list(in.entries())) {
                if (e.getName().equals(PlainWeights.LAYOUT_ENTRY) || e.getName().equals(PlainWeights.DATA_ENTRY)) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                if (e.getName().equals(ModelMetadata.ENTRY)) {
                    out.write(ModelMetadata.parse(in.getInputStream(e).readAllBytes()).withFormatVersion(1).toJson());
                } else {
                    in.getInputStream(e).transferTo(out);
                }
                out.closeEntry();
            }
        }
        return target;
    }

    /**
     * Copies a zip with one entry replaced by {@code size} zero bytes: a zip bomb in miniature, as
     * zeros deflate about a thousandfold, so the test file stays small whatever it inflates to.
     */
    public static Path rewriteWithZeros(Path source, Path target, String entry, long size) throws IOException {
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
            out.putNextEntry(new ZipEntry(entry));
            byte[] zeros = new byte[1 << 20];
            for (long left = size; left > 0; left -= zeros.length) {
                out.write(zeros, 0, (int) Math.min(left, zeros.length));
            }
            out.closeEntry();
        }
        return target;
    }

    /**
     * Makes the central directory claim that {@code entry} inflates to {@code declared} bytes,
     * whatever it really holds: the size a loader must not trust.
     */
    public static void declareSize(Path zip, String entry, int declared) throws IOException {
        byte[] bytes = Files.readAllBytes(zip);
        byte[] name = entry.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        boolean found = false;
        for (int i = 0; i + 46 <= bytes.length; i++) {
            // central directory file header: signature, ..., uncompressed size at +24, name length at +28
            if (b.getInt(i) == 0x02014b50 && (b.getShort(i + 28) & 0xffff) == name.length
                    && Arrays.equals(bytes, i + 46, i + 46 + name.length, name, 0, name.length)) {
                b.putInt(i + 24, declared);
                found = true;
            }
        }
        if (!found) {
            throw new IOException(entry + " not in the central directory of " + zip);
        }
        Files.write(zip, bytes);
    }
}

package dev.charlstm.generate;

import dev.charlstm.format.ModelMetadata;
import dev.charlstm.format.PlainWeights;
import dev.charlstm.network.LstmShape;
import dev.charlstm.network.LstmWeights;
import dev.charlstm.text.TextNormalizer;
import dev.charlstm.text.Vocabulary;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Reads what sampling needs out of a {@code model.zip} stream: the metadata and the plain weights
 * ({@link PlainWeights}), nothing of DL4J's. The zip is read in one pass from its start; each
 * entry's CRC is checked as it ends, and every entry is read through a limit, because a zip entry
 * says what size it likes and a small zip can inflate to gigabytes. charlstm writes its own
 * entries first, so the pass stops before DL4J's.
 */
final class ModelReader {

    /** charlstm/metadata.json: the vocabulary and hyperparameters, a few kilobytes in practice. */
    static final int METADATA_LIMIT = 4 << 20;
    /** charlstm/weights.json: a few hundred bytes per layer. */
    static final int LAYOUT_LIMIT = 1 << 20;
    /** The data entry when it comes before its layout (charlstm never writes it so): 256 M parameters. */
    static final int UNKNOWN_DATA_LIMIT = 1 << 30;

    record Model(ModelMetadata metadata, Vocabulary vocabulary, LstmWeights weights) {}

    private ModelReader() {}

    static Model read(InputStream stream, String source) throws InvalidModelException {
        byte[] metadataJson = null;
        byte[] layoutJson = null;
        byte[] data = null;
        LstmShape shape = null;
        int entries = 0;
        try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(stream, 1 << 16))) {
            for (ZipEntry e = zip.getNextEntry(); e != null && (metadataJson == null || data == null || shape == null);
                 e = zip.getNextEntry()) {
                entries++;
                switch (e.getName()) {
                    case ModelMetadata.ENTRY -> metadataJson = limited(zip, e, METADATA_LIMIT, source,
                            "metadata is a few kilobytes");
                    case PlainWeights.LAYOUT_ENTRY -> {
                        layoutJson = limited(zip, e, LAYOUT_LIMIT, source, "a layout is a few kilobytes");
                        shape = layout(layoutJson, source);
                    }
                    case PlainWeights.DATA_ENTRY -> data = shape == null
                            ? limited(zip, e, UNKNOWN_DATA_LIMIT, source, "at most 256 M parameters")
                            : limited(zip, e, PlainWeights.dataBytes(shape), source,
                                    "the layout says " + PlainWeights.dataBytes(shape) + " bytes");
                    default -> { }
                }
            }
        } catch (InvalidModelException e) {
            throw e;
        } catch (EOFException e) {
            throw new InvalidModelException(source, "is truncated: the zip ends inside an entry");
        } catch (ZipException e) {
            throw new InvalidModelException(source, "is not a readable zip file (truncated or corrupt: "
                    + e.getMessage() + ")");
        } catch (IOException e) {
            throw new InvalidModelException(source, "cannot be read: " + e.getMessage());
        }
        if (entries == 0) {
            throw new InvalidModelException(source, "is not a zip file (no zip entries in it)");
        }
        if (metadataJson == null) {
            throw new InvalidModelException(source, "is not a charlstm model (the zip has no "
                    + ModelMetadata.ENTRY + ")");
        }
        ModelMetadata metadata = metadata(metadataJson, source);
        if (metadata.formatVersion() < ModelMetadata.FIRST_PLAIN_WEIGHTS_VERSION) {
            throw new InvalidModelException(source, "was written in format version " + metadata.formatVersion()
                    + ", which keeps its weights only in DL4J's form; add the plain weights this library reads with "
                    + "`charlstm upgrade-model " + source + "`");
        }
        if (layoutJson == null || data == null) {
            throw new InvalidModelException(source, "is not a complete charlstm model (the zip has no "
                    + (layoutJson == null ? PlainWeights.LAYOUT_ENTRY : PlainWeights.DATA_ENTRY) + ")");
        }
        if (shape.vocabulary() != metadata.vocabulary().length()) {
            throw new InvalidModelException(source, "the network has " + shape.vocabulary()
                    + " outputs but the vocabulary has " + metadata.vocabulary().length() + " characters");
        }
        Vocabulary vocabulary;
        try {
            vocabulary = Vocabulary.of(metadata.vocabulary());
        } catch (IllegalArgumentException e) {
            throw new InvalidModelException(source, "its vocabulary is not usable: " + e.getMessage());
        }
        try {
            return new Model(metadata, vocabulary, PlainWeights.read(shape, data));
        } catch (IllegalArgumentException e) {
            throw new InvalidModelException(source, "its " + PlainWeights.DATA_ENTRY + " is not usable: "
                    + e.getMessage());
        }
    }

    private static LstmShape layout(byte[] json, String source) throws InvalidModelException {
        try {
            return PlainWeights.parseLayout(json);
        } catch (IllegalArgumentException e) {
            throw new InvalidModelException(source, "its " + PlainWeights.LAYOUT_ENTRY + " is not a layout this "
                    + "version reads: " + e.getMessage());
        }
    }

    private static ModelMetadata metadata(byte[] json, String source) throws InvalidModelException {
        ModelMetadata m;
        try {
            m = ModelMetadata.parse(json);
        } catch (IllegalArgumentException e) {
            throw new InvalidModelException(source, "its " + ModelMetadata.ENTRY + " is not valid metadata: "
                    + e.getMessage());
        }
        String problem = ModelMetadata.problemWith(m);
        if (problem != null) {
            throw new InvalidModelException(source, problem);
        }
        if (m.normalization() != null && m.normalization().rulesVersion() > TextNormalizer.RULES_VERSION) {
            throw new InvalidModelException(source, "its text normalisation (rules version "
                    + m.normalization().rulesVersion() + ") is newer than this charlstm's ("
                    + TextNormalizer.RULES_VERSION + ")");
        }
        return m;
    }

    /** The rest of the current entry, refused past {@code limit} (its declared size is not trusted). */
    private static byte[] limited(ZipInputStream zip, ZipEntry entry, long limit, String source, String why)
            throws IOException {
        if (entry.getSize() > limit) {
            throw tooLarge(source, entry, entry.getSize(), limit, why);
        }
        byte[] bytes = zip.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        if (bytes.length > limit) {
            throw tooLarge(source, entry, -1, limit, why);
        }
        return bytes;
    }

    private static InvalidModelException tooLarge(String source, ZipEntry entry, long size, long limit, String why) {
        return new InvalidModelException(source, "its " + entry.getName() + " is "
                + (size >= 0 ? String.format("%,d bytes", size) : "larger than that") + " uncompressed, more than the "
                + String.format("%,d bytes", limit) + " it can legitimately be (" + why + "); refused without reading it");
    }
}

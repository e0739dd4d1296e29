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
    /** The most weight data this reader loads (256 M parameters), and the limit on a data entry read before its layout. */
    static final int UNKNOWN_DATA_LIMIT = 1 << 30;

    record Model(ModelMetadata metadata, Vocabulary vocabulary, LstmWeights weights) {}

    private ModelReader() {}

    static Model read(InputStream stream, String source) throws InvalidModelException {
        ModelMetadata metadata = null;
        LstmShape shape = null;
        byte[] data = null;
        int entries = 0;
        try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(stream, 1 << 16))) {
            for (ZipEntry e = zip.getNextEntry(); e != null && (metadata == null || data == null || shape == null);
                 e = zip.getNextEntry()) {
                entries++;
                switch (e.getName()) {
                    // Checked as soon as it is read: an older or newer file is told so before anything else.
                    case ModelMetadata.ENTRY -> metadata = metadata(limited(zip, e, METADATA_LIMIT, source,
                            "metadata is a few kilobytes"), source);
                    case PlainWeights.LAYOUT_ENTRY -> shape = layout(limited(zip, e, LAYOUT_LIMIT, source,
                            "a layout is a few kilobytes"), source);
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
            throw new InvalidModelException(source, "not a readable zip file (truncated: the zip ends inside an entry)");
        } catch (ZipException e) {
            throw new InvalidModelException(source, "not a readable zip file (truncated or corrupt: "
                    + firstLine(e) + ")");
        } catch (IOException e) {
            throw new InvalidModelException(source, "cannot be read: " + firstLine(e));
        }
        if (entries == 0) {
            throw new InvalidModelException(source, "not a readable zip file (no zip entries in it)");
        }
        if (metadata == null) {
            throw new InvalidModelException(source, "is not a charlstm model (the zip has no "
                    + ModelMetadata.ENTRY + ")");
        }
        if (shape == null || data == null) {
            throw new InvalidModelException(source, "is not a complete charlstm model (the zip has no "
                    + (shape == null ? PlainWeights.LAYOUT_ENTRY : PlainWeights.DATA_ENTRY) + ")");
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

    /** The first line of an exception's message, or its class when it has none: messages stay one line. */
    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static LstmShape layout(byte[] json, String source) throws InvalidModelException {
        LstmShape shape;
        try {
            shape = PlainWeights.parseLayout(json);
        } catch (IllegalArgumentException e) {
            throw new InvalidModelException(source, "its " + PlainWeights.LAYOUT_ENTRY + " is not a layout this "
                    + "version reads: " + e.getMessage());
        }
        // Before its data is read: each dimension is bounded, their product is not.
        if (PlainWeights.dataBytes(shape) > UNKNOWN_DATA_LIMIT) {
            throw new InvalidModelException(source, "its " + PlainWeights.LAYOUT_ENTRY + " describes "
                    + String.format("%,d", shape.parameters()) + " parameters, more than the "
                    + String.format("%,d", UNKNOWN_DATA_LIMIT / Float.BYTES) + " this reader loads");
        }
        return shape;
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
        if (m.formatVersion() < ModelMetadata.FIRST_PLAIN_WEIGHTS_VERSION) {
            throw new InvalidModelException(source, "was written in format version " + m.formatVersion()
                    + ", which keeps its weights only in DL4J's form; add the plain weights this library reads with "
                    + "`charlstm upgrade-model " + source + "`");
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

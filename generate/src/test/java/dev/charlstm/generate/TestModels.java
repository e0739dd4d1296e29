package dev.charlstm.generate;

import dev.charlstm.format.ModelMetadata;
import dev.charlstm.format.PlainWeights;
import dev.charlstm.network.LstmShape;
import dev.charlstm.network.LstmWeights;
import dev.charlstm.text.Vocabulary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Model zips made in this module, without DL4J: random weights in the layout train writes. */
final class TestModels {

    static final String VOCABULARY = Vocabulary.printable().chars();

    private TestModels() {}

    static LstmWeights weights(LstmShape shape, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<float[]> tensors = new ArrayList<>();
        for (LstmShape.Tensor t : shape.tensors()) {
            float[] values = new float[Math.toIntExact(t.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextGaussian() * 0.5);
            }
            tensors.add(values);
        }
        return LstmWeights.of(shape, tensors);
    }

    static ModelMetadata metadata(int formatVersion) {
        return new ModelMetadata(ModelMetadata.FORMAT, formatVersion, VOCABULARY,
                new ModelMetadata.Normalization(1, "test"), Map.of("hidden_size", 16),
                new ModelMetadata.Training("ab", 10, "test", 3, 1.5, 2.2, "2026-12-01T00:00:00Z", "cpu", "test",
                        null, null));
    }

    /** The entries of a current model zip, in the order train writes them (without DL4J's). */
    static Map<String, byte[]> entries(LstmWeights weights) {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put(ModelMetadata.ENTRY, metadata(ModelMetadata.FORMAT_VERSION).toJson());
        e.put(PlainWeights.LAYOUT_ENTRY, PlainWeights.layout(weights.shape()));
        e.put(PlainWeights.DATA_ENTRY, PlainWeights.data(weights));
        e.put("coefficients.bin", new byte[] {1, 2, 3});
        return e;
    }

    static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] model() {
        return zip(entries(weights(new LstmShape(VOCABULARY.length(), 8, 16, 2), 7)));
    }
}

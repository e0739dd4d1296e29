package dev.charlstm.format;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.charlstm.network.Gate;
import dev.charlstm.network.LstmShape;
import dev.charlstm.network.LstmWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The network's weights as plain data inside {@code model.zip}, readable without DL4J or ND4J: a
 * layout ({@value #LAYOUT_ENTRY}) that names and shapes every tensor, and the tensors themselves
 * ({@value #DATA_ENTRY}) as little-endian IEEE-754 float32, row-major, one after another in the
 * layout's order with no padding. docs/model-format.md is the full description.
 *
 * <pre>{@code
 * byte[] layout = PlainWeights.layout(weights.shape());
 * byte[] data = PlainWeights.data(weights);
 * LstmWeights back = PlainWeights.read(PlainWeights.parseLayout(layout), data);
 * }</pre>
 */
public final class PlainWeights {

    public static final String LAYOUT_ENTRY = "charlstm/weights.json";
    public static final String DATA_ENTRY = "charlstm/weights.f32";
    public static final String LAYOUT_FORMAT = "charlstm-weights";
    public static final int LAYOUT_VERSION = 1;
    public static final String ARCHITECTURE = "embedding-lstm-softmax";

    private static final JSON WRITER = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT);

    private PlainWeights() {}

    /** The layout entry's JSON for a network of {@code shape}. */
    public static byte[] layout(LstmShape shape) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", LAYOUT_FORMAT);
        m.put("version", LAYOUT_VERSION);
        m.put("architecture", ARCHITECTURE);
        m.put("dtype", "float32");
        m.put("byte_order", "little_endian");
        m.put("data", DATA_ENTRY);
        m.put("vocabulary", shape.vocabulary());
        m.put("embedding", shape.embedding());
        m.put("hidden", shape.hidden());
        m.put("layers", shape.layers());
        m.put("gate_order", Arrays.stream(Gate.values()).map(g -> g.name().toLowerCase(Locale.ROOT)).toList());
        List<Object> tensors = new ArrayList<>();
        long offset = 0;
        for (LstmShape.Tensor t : shape.tensors()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", t.name());
            e.put("shape", List.of(t.rows(), t.cols()));
            e.put("offset", offset);
            tensors.add(e);
            offset += t.size() * Float.BYTES;
        }
        m.put("tensors", tensors);
        m.put("bytes", offset);
        try {
            return WRITER.asBytes(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How long the data entry of a network of {@code shape} is. */
    public static long dataBytes(LstmShape shape) {
        return shape.parameters() * Float.BYTES;
    }

    /** The data entry: every tensor as little-endian float32, in layout order. */
    public static byte[] data(LstmWeights weights) {
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(dataBytes(weights.shape()))).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = out.asFloatBuffer();
        for (float[] t : weights.tensors()) {
            floats.put(t);
        }
        return out.array();
    }

    /**
     * Reads a layout entry and checks that it describes exactly the network this version computes:
     * the architecture, data type, byte order, gate order, and every tensor's name, shape and
     * offset as {@link #layout} would write them.
     *
     * @throws IllegalArgumentException saying what differs
     */
    public static LstmShape parseLayout(byte[] json) {
        Map<String, Object> m = JsonFields.object(json, "layout");
        require(LAYOUT_FORMAT.equals(m.get("format")), "its format is " + JsonFields.quoted(m.get("format")) + ", not "
                + LAYOUT_FORMAT);
        int version = JsonFields.intValue(m, "version", 0);
        require(version >= 1, "it has no version");
        require(version <= LAYOUT_VERSION, "its version " + version + " is newer than this charlstm reads ("
                + LAYOUT_VERSION + ")");
        require(ARCHITECTURE.equals(m.get("architecture")), "its architecture is "
                + JsonFields.quoted(m.get("architecture")) + "; this version computes " + ARCHITECTURE);
        require("float32".equals(m.get("dtype")), "its dtype is " + JsonFields.quoted(m.get("dtype")) + ", not float32");
        require("little_endian".equals(m.get("byte_order")), "its byte order is "
                + JsonFields.quoted(m.get("byte_order")) + ", not little_endian");
        require(DATA_ENTRY.equals(m.get("data")), "its data entry is " + JsonFields.quoted(m.get("data")) + ", not "
                + DATA_ENTRY);
        LstmShape shape = new LstmShape(JsonFields.intValue(m, "vocabulary", 0), JsonFields.intValue(m, "embedding", 0),
                JsonFields.intValue(m, "hidden", 0), JsonFields.intValue(m, "layers", 0));
        require(JsonFields.longValue(m, "bytes", -1) == dataBytes(shape), "it says the data is "
                + JsonFields.quoted(m.get("bytes")) + " bytes; its tensors take " + dataBytes(shape));
        // The same shape written by this version must give the same description, tensor by tensor.
        Map<String, Object> expected = JsonFields.object(layout(shape), "layout");
        require(expected.get("gate_order").equals(m.get("gate_order")), "its gate order is "
                + JsonFields.quoted(m.get("gate_order")) + ", not " + expected.get("gate_order"));
        List<Object> tensors = JsonFields.list(m, "tensors");
        List<Object> want = JsonFields.list(expected, "tensors");
        require(tensors.size() == want.size(), "it lists " + tensors.size() + " tensors; a network of " + shape
                + " has " + want.size());
        for (int i = 0; i < want.size(); i++) {
            require(normalised(tensors.get(i)).equals(normalised(want.get(i))), "tensor " + i + " is "
                    + JsonFields.quoted(tensors.get(i)) + "; expected " + want.get(i));
        }
        return shape;
    }

    /**
     * The weights from a data entry of a network of {@code shape}.
     *
     * @throws IllegalArgumentException when the entry has another length or holds a non-finite value
     */
    public static LstmWeights read(LstmShape shape, byte[] data) {
        long expected = dataBytes(shape);
        require(data.length == expected, "the data entry is " + data.length + " bytes; the layout needs " + expected);
        FloatBuffer floats = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        List<float[]> tensors = new ArrayList<>();
        for (LstmShape.Tensor t : shape.tensors()) {
            float[] values = new float[Math.toIntExact(t.size())];
            floats.get(values);
            for (float v : values) {
                // A run that diverged can leave such a checkpoint; nothing sensible samples from it.
                // (Tested inline: building the message for each of millions of weights was most of a load.)
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("weight tensor " + t.name() + " holds " + v);
                }
            }
            tensors.add(values);
        }
        return LstmWeights.of(shape, tensors);
    }

    /** A tensor entry with its numbers as longs, so that 3 and 3L compare equal. */
    private static Object normalised(Object entry) {
        if (!(entry instanceof Map<?, ?> map)) {
            return entry;
        }
        Map<Object, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, v instanceof List<?> l
                ? l.stream().map(PlainWeights::number).toList() : number(v)));
        return out;
    }

    private static Object number(Object v) {
        return v instanceof Integer || v instanceof Long ? ((Number) v).longValue() : v;
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(problem);
        }
    }
}

package dev.charlstm.model;

import dev.charlstm.format.ModelMetadata;
import dev.charlstm.format.PlainWeights;
import dev.charlstm.generate.InvalidModelException;
import dev.charlstm.io.AtomicFiles;
import dev.charlstm.network.LstmWeights;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes {@code model.zip} on the training side: a DL4J network plus, in the same zip,
 * its metadata and the same weights as plain floats, so that loading it needs nothing else and
 * the library ({@code charlstm-generate}) can read it without DL4J.
 *
 * <p>Layout (docs/model-format.md): first charlstm's own entries, {@code charlstm/metadata.json}
 * ({@link ModelMetadata}) and the plain weights ({@link PlainWeights}: {@code charlstm/weights.json},
 * {@code charlstm/weights.f32}); then DL4J's ({@code configuration.json}, {@code coefficients.bin}
 * and, in checkpoints, {@code updaterState.bin}) that {@link ModelSerializer} reads as usual.
 * Checkpoints add {@code charlstm/checkpoint.json}, the trainer's own resume state. Writes are atomic.
 *
 * <pre>{@code
 * ModelFile.save(Path.of("models/faq/model.zip"), net, metadata);
 * ModelFile.Loaded m = ModelFile.load(Path.of("models/faq/model.zip"));
 * MultiLayerNetwork net = m.network();
 * }</pre>
 */
public final class ModelFile {

    static final String METADATA_ENTRY = ModelMetadata.ENTRY;
    static final String CHECKPOINT_ENTRY = "charlstm/checkpoint.json";
    private static final String[] REQUIRED = {
        ModelSerializer.CONFIGURATION_JSON, ModelSerializer.COEFFICIENTS_BIN, METADATA_ENTRY};

    private ModelFile() {}

    /** A loaded model: the network, its metadata, and the trainer's state when it is a checkpoint. */
    public record Loaded(MultiLayerNetwork network, ModelMetadata metadata, Optional<byte[]> checkpointState) {}

    /** Saves a finished model: weights and metadata, no optimiser state. */
    public static void save(Path file, MultiLayerNetwork net, ModelMetadata metadata) throws IOException {
        write(file, net, metadata, null, false);
    }

    /** Saves a resumable checkpoint: weights, optimiser state, metadata and the trainer's state. */
    public static void saveCheckpoint(Path file, MultiLayerNetwork net, ModelMetadata metadata, byte[] trainerState)
            throws IOException {
        write(file, net, metadata, trainerState, true);
    }

    private static void write(Path file, MultiLayerNetwork net, ModelMetadata metadata, byte[] trainerState,
                              boolean withUpdater) throws IOException {
        ByteArrayOutputStream dl4j = new ByteArrayOutputStream(1 << 20);
        ModelSerializer.writeModel(net, dl4j, withUpdater);
        LstmWeights weights = ParameterLayout.weightsOf(net);
        // charlstm's entries first: the library reads the zip in one pass and stops before DL4J's.
        Map<String, byte[]> ours = new LinkedHashMap<>();
        ours.put(METADATA_ENTRY, metadata.withFormatVersion(ModelMetadata.FORMAT_VERSION).toJson());
        ours.put(PlainWeights.LAYOUT_ENTRY, PlainWeights.layout(weights.shape()));
        ours.put(PlainWeights.DATA_ENTRY, PlainWeights.data(weights));
        Map<String, byte[]> extra = new LinkedHashMap<>();
        if (trainerState != null) {
            extra.put(CHECKPOINT_ENTRY, trainerState);
        }
        AtomicFiles.write(file, out -> {
            // Closed, so its deflater's native memory is freed now; the file itself AtomicFiles closes.
            try (ZipOutputStream zip = new ZipOutputStream(new FilterOutputStream(out) {
                @Override
                public void close() throws IOException {
                    flush();
                }
            })) {
            for (Map.Entry<String, byte[]> e : ours.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(dl4j.toByteArray()))) {
                for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    zip.putNextEntry(new ZipEntry(e.getName()));
                    in.transferTo(zip);
                    zip.closeEntry();
                }
            }
            for (Map.Entry<String, byte[]> e : extra.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
            }
        });
    }

    /** What {@link #upgrade} did: the format version found, the one written, and whether it rewrote the file. */
    public record Upgrade(int fromVersion, int toVersion, boolean upgraded) {}

    /**
     * Rewrites {@code file} in the current format version when it is older, atomically, with the
     * entries charlstm writes: the network, the metadata (the fields this version knows), and when
     * present the optimiser state and the trainer's state. Any other entry is not carried over.
     *
     * @throws InvalidModelException when the file is not a model this version can read or rewrite
     */
    public static Upgrade upgrade(Path file) throws IOException {
        boolean withUpdater;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            withUpdater = zip.getEntry(ModelSerializer.UPDATER_BIN) != null;
        } catch (IOException e) {
            load(file); // names the problem the way loading does
            throw e;
        }
        Loaded loaded = load(file, withUpdater);
        int from = loaded.metadata().formatVersion();
        if (from >= ModelMetadata.FORMAT_VERSION) {
            return new Upgrade(from, from, false);
        }
        try {
            write(file, loaded.network(), loaded.metadata(), loaded.checkpointState().orElse(null), withUpdater);
        } catch (IllegalArgumentException e) {
            // A network the plain weights cannot describe (ParameterLayout names what).
            throw new InvalidModelException(file.toString(), "cannot be upgraded: " + e.getMessage());
        }
        return new Upgrade(from, ModelMetadata.FORMAT_VERSION, true);
    }

    /** Loads a model for inference (no optimiser state). */
    public static Loaded load(Path file) throws InvalidModelException {
        return load(file, false);
    }

    /*
     * What each entry can legitimately be. A zip entry's declared size is whatever the file says,
     * and a few megabytes of zip can inflate to gigabytes, so every entry is read through a limit:
     * the JSON ones by what they plausibly hold, the arrays by what the configuration says the
     * network has. DL4J's own loader (ModelSerializer) reads every entry of the zip whole into
     * memory, the optimiser state and our own entries included, so it is not used for loading.
     */
    /** charlstm/metadata.json: the vocabulary and hyperparameters, a few kilobytes in practice. */
    static final long METADATA_LIMIT = 4L << 20;
    /** charlstm/checkpoint.json: the trainer's state with its loss curves (about 40 bytes per iteration). */
    static final long CHECKPOINT_LIMIT = 32L << 20;
    /** configuration.json: DL4J's description of the layers, about 2 KB per layer. */
    static final long CONFIGURATION_LIMIT = 4L << 20;
    /** Room for an ND4J array's header (shape, strides, type) besides its values. */
    static final long ARRAY_HEADER_LIMIT = 64L << 10;
    /** Values per parameter the optimiser state may hold (Adam keeps two; AMSGrad three). */
    static final int UPDATER_VALUES_PER_PARAMETER = 3;

    /**
     * Loads a model or checkpoint.
     *
     * <p>Reads only what the caller needs (the optimiser state only {@code withUpdater}), each
     * entry through a size limit, and refuses an entry past its limit without reading the rest.
     *
     * @param withUpdater also restore the optimiser state (to continue training)
     * @throws InvalidModelException naming the file and the problem: missing, not a zip, truncated,
     *     missing entries, another format, a newer format version, or an entry larger than it can be
     */
    public static Loaded load(Path file, boolean withUpdater) throws InvalidModelException {
        if (!Files.isRegularFile(file)) {
            throw new InvalidModelException(file.toString(), Files.exists(file) ? "not a regular file" : "no such file");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (String name : REQUIRED) {
                if (zip.getEntry(name) == null) {
                    throw new InvalidModelException(file.toString(), "not a charlstm model (the zip has no " + name + ")");
                }
            }
            ModelMetadata metadata = readMetadata(file, zip);
            ZipEntry state = zip.getEntry(CHECKPOINT_ENTRY);
            byte[] checkpoint = state == null ? null : readLimited(file, zip, state, CHECKPOINT_LIMIT,
                    "the trainer's state is a few megabytes at most");
            if (withUpdater && zip.getEntry(ModelSerializer.UPDATER_BIN) == null) {
                throw new InvalidModelException(file.toString(), "has no optimiser state, so training cannot resume from it");
            }
            MultiLayerNetwork net = restore(file, zip, withUpdater);
            int outputs = (int) net.layerSize(net.getnLayers() - 1);
            if (outputs != metadata.vocabulary().length()) {
                throw new InvalidModelException(file.toString(), "the network has " + outputs + " outputs but the vocabulary has "
                        + metadata.vocabulary().length() + " characters");
            }
            return new Loaded(net, metadata, Optional.ofNullable(checkpoint));
        } catch (InvalidModelException e) {
            throw e;
        } catch (ZipException e) {
            throw new InvalidModelException(file.toString(), "not a readable zip file (truncated or corrupt: " + e.getMessage() + ")");
        } catch (IOException e) {
            throw new InvalidModelException(file.toString(), "cannot be read: " + e.getMessage());
        }
    }

    /** The network as ModelSerializer would restore it, from the entries it needs and no others. */
    private static MultiLayerNetwork restore(Path file, ZipFile zip, boolean withUpdater)
            throws IOException, InvalidModelException {
        String json = new String(readLimited(file, zip, zip.getEntry(ModelSerializer.CONFIGURATION_JSON),
                CONFIGURATION_LIMIT, "a network configuration is a few kilobytes"), StandardCharsets.UTF_8);
        MultiLayerConfiguration conf;
        long parameters;
        try {
            conf = MultiLayerConfiguration.fromJson(json);
            parameters = parameterCount(conf);
        } catch (RuntimeException e) {
            throw new InvalidModelException(file.toString(), "its " + ModelSerializer.CONFIGURATION_JSON
                    + " is not a network configuration: " + firstLine(e), e);
        }
        // 8 bytes a value allows a network saved in double precision.
        long weightsLimit = parameters * Double.BYTES + ARRAY_HEADER_LIMIT;
        ZipEntry coefficients = zip.getEntry(ModelSerializer.COEFFICIENTS_BIN);
        checkSize(file, zip, coefficients, weightsLimit, "its configuration has " + parameters + " parameters");
        ZipEntry updater = withUpdater ? zip.getEntry(ModelSerializer.UPDATER_BIN) : null;
        if (updater != null) {
            checkSize(file, zip, updater, UPDATER_VALUES_PER_PARAMETER * parameters * Double.BYTES
                    + ARRAY_HEADER_LIMIT, "the optimiser keeps at most " + UPDATER_VALUES_PER_PARAMETER
                    + " values for each of the " + parameters + " parameters");
        }
        try {
            INDArray params = readArray(zip, coefficients);
            if (params.length() != parameters) {
                throw new InvalidModelException(file.toString(), ModelSerializer.COEFFICIENTS_BIN + " holds " + params.length()
                        + " values but the configuration has " + parameters + " parameters");
            }
            conf.setDataType(params.dataType());
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init(params, false);
            if (updater != null) {
                net.getUpdater().setStateViewArray(net, readArray(zip, updater), false);
            }
            return net;
        } catch (InvalidModelException e) {
            throw e;
        } catch (Exception | LinkageError | OutOfMemoryError e) {
            // An array header can still declare more values than it holds; ND4J then fails to allocate.
            throw new InvalidModelException(file.toString(), "the network inside cannot be restored: " + firstLine(e), e);
        }
    }

    private static long parameterCount(MultiLayerConfiguration conf) {
        long n = 0;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            var layer = conf.getConf(i);
            n += layer.getLayer().initializer().numParams(layer);
        }
        return n;
    }

    private static INDArray readArray(ZipFile zip, ZipEntry entry) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(zip.getInputStream(entry)))) {
            return Nd4j.read(in);
        }
    }

    /**
     * Refuses an entry larger than {@code limit}: by its declared size when that already says so,
     * else by inflating it, without keeping the bytes, until it ends or passes the limit.
     */
    private static void checkSize(Path file, ZipFile zip, ZipEntry entry, long limit, String why)
            throws IOException, InvalidModelException {
        if (entry.getSize() > limit) {
            throw tooLarge(file, entry, entry.getSize(), limit, why);
        }
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        try (InputStream in = zip.getInputStream(entry)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                total += n;
                if (total > limit) {
                    throw tooLarge(file, entry, -1, limit, why);
                }
            }
        }
    }

    /** The entry's bytes, refused past {@code limit} (its declared size is not trusted). */
    private static byte[] readLimited(Path file, ZipFile zip, ZipEntry entry, long limit, String why)
            throws IOException, InvalidModelException {
        if (entry.getSize() > limit) {
            throw tooLarge(file, entry, entry.getSize(), limit, why);
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) limit + 1);
            if (bytes.length > limit) {
                throw tooLarge(file, entry, -1, limit, why);
            }
            return bytes;
        }
    }

    private static InvalidModelException tooLarge(Path file, ZipEntry entry, long size, long limit, String why) {
        return new InvalidModelException(file.toString(), "its " + entry.getName() + " is "
                + (size >= 0 ? String.format("%,d bytes", size) : "larger than that") + " uncompressed, more than the "
                + String.format("%,d bytes", limit) + " it can legitimately be (" + why + "); refused without reading it");
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static ModelMetadata readMetadata(Path file, ZipFile zip) throws IOException, InvalidModelException {
        ModelMetadata metadata;
        byte[] bytes = readLimited(file, zip, zip.getEntry(METADATA_ENTRY), METADATA_LIMIT,
                "metadata is a few kilobytes");
        try {
            metadata = ModelMetadata.parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new InvalidModelException(file.toString(), "its " + METADATA_ENTRY + " is not valid metadata: "
                    + e.getMessage());
        }
        String problem = ModelMetadata.problemWith(metadata);
        if (problem != null) {
            throw new InvalidModelException(file.toString(), problem);
        }
        return metadata;
    }
}

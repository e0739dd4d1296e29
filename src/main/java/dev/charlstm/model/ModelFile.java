package dev.charlstm.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.charlstm.io.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Reads and writes {@code model.zip}: a DL4J network plus, in the same zip, its metadata, so that
 * loading it needs nothing else.
 *
 * <p>Layout: DL4J's own entries ({@code configuration.json}, {@code coefficients.bin} and, in
 * checkpoints, {@code updaterState.bin}) that {@link ModelSerializer} reads as usual, and
 * {@code charlstm/metadata.json} ({@link ModelMetadata}). Checkpoints add
 * {@code charlstm/checkpoint.json}, the trainer's own resume state. Writes are atomic.
 *
 * <pre>{@code
 * ModelFile.save(Path.of("models/faq/model.zip"), net, metadata);
 * ModelFile.Loaded m = ModelFile.load(Path.of("models/faq/model.zip"));
 * MultiLayerNetwork net = m.network();
 * }</pre>
 */
public final class ModelFile {

    static final String METADATA_ENTRY = "charlstm/metadata.json";
    static final String CHECKPOINT_ENTRY = "charlstm/checkpoint.json";
    private static final String[] REQUIRED = {
        ModelSerializer.CONFIGURATION_JSON, ModelSerializer.COEFFICIENTS_BIN, METADATA_ENTRY};
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelFile() {}

    /** A loaded model: the network, its metadata, and the trainer's state when it is a checkpoint. */
    public record Loaded(MultiLayerNetwork network, ModelMetadata metadata, Optional<byte[]> checkpointState) {}

    /** Saves a finished model: weights and metadata, no optimiser state. */
    public static void save(Path file, MultiLayerNetwork net, ModelMetadata metadata) throws IOException {
        write(file, net, metadata, null);
    }

    /** Saves a resumable checkpoint: weights, optimiser state, metadata and the trainer's state. */
    public static void saveCheckpoint(Path file, MultiLayerNetwork net, ModelMetadata metadata, byte[] trainerState)
            throws IOException {
        write(file, net, metadata, trainerState);
    }

    private static void write(Path file, MultiLayerNetwork net, ModelMetadata metadata, byte[] trainerState)
            throws IOException {
        ByteArrayOutputStream dl4j = new ByteArrayOutputStream(1 << 20);
        ModelSerializer.writeModel(net, dl4j, trainerState != null);
        Map<String, byte[]> extra = new LinkedHashMap<>();
        extra.put(METADATA_ENTRY, JSON.writeValueAsBytes(metadata));
        if (trainerState != null) {
            extra.put(CHECKPOINT_ENTRY, trainerState);
        }
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
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
            zip.finish();
        });
    }

    /** Loads a model for inference (no optimiser state). */
    public static Loaded load(Path file) throws ModelFileException {
        return load(file, false);
    }

    /**
     * Loads a model or checkpoint.
     *
     * @param withUpdater also restore the optimiser state (to continue training)
     * @throws ModelFileException naming the file and the problem: missing, not a zip, truncated,
     *     missing entries, another format, or a newer format version
     */
    public static Loaded load(Path file, boolean withUpdater) throws ModelFileException {
        ModelMetadata metadata;
        byte[] checkpoint = null;
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException(file, Files.exists(file) ? "not a regular file" : "no such file");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (String name : REQUIRED) {
                if (zip.getEntry(name) == null) {
                    throw new ModelFileException(file, "not a charlstm model (the zip has no " + name + ")");
                }
            }
            metadata = readMetadata(file, zip);
            ZipEntry state = zip.getEntry(CHECKPOINT_ENTRY);
            if (state != null) {
                try (InputStream in = zip.getInputStream(state)) {
                    checkpoint = in.readAllBytes();
                }
            }
            if (withUpdater && zip.getEntry(ModelSerializer.UPDATER_BIN) == null) {
                throw new ModelFileException(file, "has no optimiser state, so training cannot resume from it");
            }
        } catch (ZipException e) {
            throw new ModelFileException(file, "not a readable zip file (truncated or corrupt: " + e.getMessage() + ")");
        } catch (IOException e) {
            throw new ModelFileException(file, "cannot be read: " + e.getMessage());
        }
        MultiLayerNetwork net;
        try {
            net = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), withUpdater);
        } catch (Exception | LinkageError e) {
            throw new ModelFileException(file, "the network inside cannot be restored: " + e.getMessage(), e);
        }
        int outputs = (int) net.layerSize(net.getnLayers() - 1);
        if (outputs != metadata.vocabulary().length()) {
            throw new ModelFileException(file, "the network has " + outputs + " outputs but the vocabulary has "
                    + metadata.vocabulary().length() + " characters");
        }
        return new Loaded(net, metadata, Optional.ofNullable(checkpoint));
    }

    private static ModelMetadata readMetadata(Path file, ZipFile zip) throws IOException, ModelFileException {
        ModelMetadata metadata;
        try (InputStream in = zip.getInputStream(zip.getEntry(METADATA_ENTRY))) {
            metadata = JSON.readValue(in, ModelMetadata.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new ModelFileException(file, "its " + METADATA_ENTRY + " is not valid metadata: "
                    + e.getOriginalMessage());
        }
        if (!ModelMetadata.FORMAT.equals(metadata.format())) {
            throw new ModelFileException(file, "format is '" + metadata.format() + "', expected '"
                    + ModelMetadata.FORMAT + "'");
        }
        if (metadata.formatVersion() > ModelMetadata.FORMAT_VERSION) {
            throw new ModelFileException(file, "was written in format version " + metadata.formatVersion()
                    + " by a newer charlstm; this version reads up to " + ModelMetadata.FORMAT_VERSION);
        }
        if (metadata.formatVersion() < 1 || metadata.vocabulary() == null || metadata.vocabulary().isEmpty()) {
            throw new ModelFileException(file, "metadata lacks a format version or a vocabulary");
        }
        return metadata;
    }
}

package dev.charlstm.train;

import dev.charlstm.corpus.Corpus;
import dev.charlstm.format.ModelMetadata;
import dev.charlstm.io.AtomicFiles;
import dev.charlstm.io.Json;
import dev.charlstm.model.Backend;
import dev.charlstm.model.LossEvaluator;
import dev.charlstm.model.ModelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** The files one training run writes into its output directory, all written atomically. */
final class TrainingOutput {


    private final Path dir;

    TrainingOutput(Path dir) {
        this.dir = dir;
    }

    Path dir() { return dir; }
    Path model() { return dir.resolve("model.zip"); }
    Path metrics() { return dir.resolve("metrics.json"); }
    Path lossChart() { return dir.resolve("loss.png"); }
    Path corpus() { return dir.resolve("corpus.txt"); }
    Path latestCheckpoint() { return dir.resolve("checkpoints").resolve("latest.zip"); }
    Path bestCheckpoint() { return bestCheckpointIn(dir); }

    /** Where a run in {@code runDir} keeps its best checkpoint. */
    static Path bestCheckpointIn(Path runDir) { return runDir.resolve("checkpoints").resolve("best.zip"); }

    /** The checkpoint to resume from, given a run directory or its checkpoints directory. */
    static Path findCheckpoint(Path resumeDir) {
        for (Path candidate : new Path[] {
                resumeDir.resolve("checkpoints").resolve("latest.zip"), resumeDir.resolve("latest.zip"), resumeDir}) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("no checkpoint to resume from in " + resumeDir
                + " (expected checkpoints/latest.zip)");
    }

    /** Writes a checkpoint: the network with its optimiser state, the metadata and the run state. */
    void saveCheckpoint(Path file, MultiLayerNetwork net, ModelMetadata metadata, TrainingState state)
            throws IOException {
        ModelFile.saveCheckpoint(file, net, metadata, state.toJson());
    }

    /**
     * Writes {@code metrics.json}: speed, losses, the stop reason, the engine, the corpus, the
     * configuration, the plan and every validation.
     *
     * @param engine  the training engine that ran ({@link TrainingEngine#key()})
     * @param threads its thread count
     * @param heldOut the chosen model's losses on the held-out text (test, whole validation)
     * @param plan    what the planner measured and chose, or null when the run was not planned
     */
    void writeMetrics(TrainConfig config, TrainingState state, Corpus corpus, String corpusSource, String stopReason,
                      String engine, int threads, Map<String, Object> heldOut, Map<String, Object> plan)
            throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        TrainingState.Evaluation last = state.lastEvaluation();
        m.put("train_chars_per_sec", Math.round(state.trainCharsPerSecond() * 10) / 10.0);
        m.put("val_loss_nats", last == null ? null : last.valLoss());
        m.put("val_bpc", last == null ? null : round4(LossEvaluator.bitsPerChar(last.valLoss())));
        m.put("best_val_loss_nats", state.bestValLoss == null ? null : round4(state.bestValLoss));
        m.put("best_val_bpc", state.bestValLoss == null ? null : round4(LossEvaluator.bitsPerChar(state.bestValLoss)));
        m.put("best_iteration", state.bestIteration);
        m.put("iterations", state.iteration);
        m.put("train_chars", state.trainedChars);
        m.put("wall_seconds", Math.round(state.wallSeconds * 100) / 100.0);
        m.put("stop_reason", stopReason);
        m.put("backend", Backend.name());
        m.put("engine", engine);
        m.put("threads", threads);
        m.put("corpus_chars", corpus.length());
        m.put("corpus_sha256", corpus.sha256());
        m.put("corpus_source", corpusSource);
        m.put("project_version", projectVersion());
        m.putAll(heldOut);
        m.put("config", config.asMap());
        if (plan != null) {
            m.put("plan", plan);
        }
        m.put("evaluations", state.evaluations);
        AtomicFiles.write(metrics(), Json.PRETTY.writeValueAsBytes(m));
    }

    /** This build's version ({@link Training#projectVersion()}). */
    static String projectVersion() {
        return Training.projectVersion();
    }

    private static double round4(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}

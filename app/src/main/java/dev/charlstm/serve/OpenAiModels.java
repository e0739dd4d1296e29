package dev.charlstm.serve;

import dev.charlstm.generate.ModelInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}} in OpenAI's shape. Each entry also carries
 * charlstm's own fields, and the list stays under {@code models} too, so that clients written for
 * the earlier {@code {"models": [...]}} answer keep working.
 */
final class OpenAiModels {

    private OpenAiModels() {}

    static Map<String, Object> list(Collection<ModelRegistry.Served> models) {
        List<Map<String, Object>> entries = models.stream().map(OpenAiModels::entry).toList();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("object", "list");
        o.put("data", entries);
        o.put("models", entries);
        return o;
    }

    static Map<String, Object> entry(ModelRegistry.Served m) {
        ModelInfo info = m.info();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", m.name());
        o.put("object", "model");
        o.put("created", created(m));
        o.put("owned_by", "charlstm");
        o.put("name", m.name());
        o.put("vocabulary_size", info.vocabulary().length());
        o.put("layers", info.layers());
        o.put("hidden_size", info.hiddenSize());
        o.put("val_loss_nats", info.valLossNats());
        o.put("trained_at", info.trainedAt());
        return o;
    }

    /** Unix seconds of training, as OpenAI's {@code created}; the file's time when the model has none. */
    private static long created(ModelRegistry.Served m) {
        String trainedAt = m.info().trainedAt();
        if (trainedAt != null) {
            try {
                return Instant.parse(trainedAt).getEpochSecond();
            } catch (DateTimeParseException e) {
                // an older or hand-made model file: fall back to the file's time
            }
        }
        try {
            return Files.getLastModifiedTime(m.file()).toInstant().getEpochSecond();
        } catch (IOException e) {
            return 0;
        }
    }
}

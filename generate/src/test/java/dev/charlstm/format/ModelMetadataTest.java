package dev.charlstm.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelMetadataTest {

    private static ModelMetadata metadata(Double valLoss, Double testLoss, long iterations) {
        Map<String, Object> hyper = new LinkedHashMap<>();
        hyper.put("hidden_size", 384);
        hyper.put("learning_rate", 0.002);
        hyper.put("dropout", 1.0);
        return new ModelMetadata(ModelMetadata.FORMAT, ModelMetadata.FORMAT_VERSION, "abc",
                new ModelMetadata.Normalization(1, "NFKC"), hyper,
                new ModelMetadata.Training("ff", 12, "file:x", iterations, valLoss, 1.5, "2026-12-01T00:00:00Z",
                        "cpu", "0.1.0", testLoss, Map.of("chosen", "2x384")));
    }

    @Test
    void everyFieldRoundTrips() {
        ModelMetadata m = metadata(1.25, 1.5, 5_000_000_000L);
        ModelMetadata back = ModelMetadata.parse(m.toJson());
        assertThat(back).isEqualTo(m);
        assertThat(back.hyperparameters().get("dropout")).isEqualTo(1.0);
    }

    @Test
    void lossesThatAreNotNumbersAreLeftOutAndReadAsAbsent() {
        ModelMetadata m = metadata(Double.NaN, Double.POSITIVE_INFINITY, 3);
        String json = new String(m.toJson(), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("val_loss_nats").doesNotContain("test_loss_nats");
        assertThat(ModelMetadata.parse(m.toJson()).training().valLossNats()).isNull();
        // As Jackson's default writer (and so charlstm before format version 2) spells them.
        String older = json.replace("\"val_bpc\"", "\"val_loss_nats\" : \"NaN\", \"test_loss_nats\" : \"-Infinity\", \"val_bpc\"");
        ModelMetadata.Training t = ModelMetadata.parse(older.getBytes(StandardCharsets.UTF_8)).training();
        assertThat(t.valLossNats()).isNull();
        assertThat(t.testLossNats()).isNull();
        assertThat(t.valBpc()).isEqualTo(1.5);
    }

    @Test
    void aFieldOfTheWrongTypeIsNamed() {
        String json = new String(metadata(1.0, null, 3).toJson(), StandardCharsets.UTF_8)
                .replace("\"corpus_chars\" : 12", "\"corpus_chars\" : \"many\\nlines\"");
        assertThatThrownBy(() -> ModelMetadata.parse(json.getBytes(StandardCharsets.UTF_8)))
                .hasMessage("its \"corpus_chars\" is not an integer (\"many\\u000alines\")");
    }

    @Test
    void textAfterTheObjectIsRefused() {
        byte[] json = (new String(metadata(1.0, null, 3).toJson(), StandardCharsets.UTF_8) + " {}")
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ModelMetadata.parse(json)).hasMessage("is not valid JSON: more follows its value");
    }

    @Test
    void problemsAreOneLine() {
        assertThat(ModelMetadata.problemWith(metadata(1.0, null, 3))).isNull();
        ModelMetadata foreign = new ModelMetadata("x\ny", 2, "abc", null, null, null);
        assertThat(ModelMetadata.problemWith(foreign)).isEqualTo("format is 'x\\u000ay', expected 'charlstm-model'");
        assertThat(ModelMetadata.problemWith(new ModelMetadata(null, 2, "abc", null, null, null)))
                .isEqualTo("metadata has no format; expected 'charlstm-model'");
        assertThat(ModelMetadata.problemWith(new ModelMetadata(ModelMetadata.FORMAT, 3, "abc", null, null, null)))
                .isEqualTo("was written in format version 3 by a newer charlstm; this version reads up to 2");
    }
}

package dev.charlstm.train;

import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The sample logged with a checkpoint, drawn through the public library from the checkpoint just
 * written, exactly as users will.
 */
final class SampleLog {

    private final TrainConfig config;

    SampleLog(TrainConfig config) {
        this.config = config;
    }

    /** The log lines of a sample from {@code checkpoint}, seeded by the iteration; the reason when there is none. */
    String from(Path checkpoint, long iteration) {
        return "\n--- sample (T=" + config.sampleTemperature() + ") ---\n" + sample(checkpoint, iteration) + "\n---";
    }

    private String sample(Path checkpoint, long iteration) {
        try {
            GenerationOptions options = GenerationOptions.builder().prime(config.samplePrime())
                    .length(config.sampleLength()).temperature(config.sampleTemperature())
                    .seed(config.seed() + iteration).build();
            return Generator.load(checkpoint).generate(options).get(0).fullText();
        } catch (IOException | IllegalArgumentException e) {
            return "(no sample: " + e.getMessage() + ")";
        }
    }
}

package dev.charlstm.cli;

import dev.charlstm.generate.Generator;
import dev.charlstm.generate.Score;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code evaluate}: the model's loss on a text, in nats and bits per character. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Measure a model's loss on a text (folded onto its vocabulary as the corpus was).")
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "PATH",
            description = "Model file, or a folder holding model.zip (default: ${DEFAULT-VALUE}).")
    Path model = Path.of("models", "faq", "model.zip");

    @Option(names = "--text", paramLabel = "FILE", required = true, description = "UTF-8 text to score.")
    Path text;

    /** {@code --json} prints {@code {"chars", "loss_nats", "bpc"}}; {@code --output FILE} writes it. */
    @Mixin
    JsonOutput json = new JsonOutput();

    @Override
    public Integer call() throws Exception {
        json.check();
        if (!Files.isRegularFile(text)) {
            throw new IllegalArgumentException("--text: " + text + " does not exist");
        }
        String content;
        try {
            content = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(text)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("--text: " + text + " is not UTF-8 text");
        }
        Score score = Generator.load(ModelPaths.modelFile(model)).score(content);
        if (json.wanted()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("chars", score.chars());
            o.put("loss_nats", score.lossNats());
            o.put("bpc", score.bitsPerChar());
            json.emit(o);
        } else {
            System.out.printf("%s on %s: %,d characters, %.4f nats/char, %.4f bits/char%n", model, text,
                    score.chars(), score.lossNats(), score.bitsPerChar());
        }
        return 0;
    }
}

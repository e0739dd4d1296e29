package dev.charlstm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charlstm.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainConfigTest {

    @TempDir
    Path dir;

    @Test
    void shippedYamlSetsEveryKeyToTheBuiltInDefault() throws Exception {
        TrainConfig shipped = TrainConfig.load(Fixtures.PROJECT.resolve("config/train.yaml"));
        assertThat(shipped).isEqualTo(TrainConfig.defaults());
        String yaml = Files.readString(Fixtures.PROJECT.resolve("config/train.yaml"));
        for (String key : TrainConfig.defaults().asMap().keySet()) {
            assertThat(yaml).as("config/train.yaml lists %s", key).containsPattern("(?m)^" + key + ":");
        }
    }

    @Test
    void overridesAreTypedAndChecked() {
        TrainConfig c = TrainConfig.defaults().withOverrides(List.of("hidden_size=128", "learning_rate=0.01",
                "strict=true", "seed=7", "sample_prime=Hello"));
        assertThat(c.hiddenSize()).isEqualTo(128);
        assertThat(c.learningRate()).isEqualTo(0.01);
        assertThat(c.strict()).isTrue();
        assertThat(c.seed()).isEqualTo(7L);
        assertThat(c.samplePrime()).isEqualTo("Hello");
    }

    @Test
    void unknownKeyIsNamed() {
        assertThatThrownBy(() -> TrainConfig.defaults().withOverrides(List.of("hiden_size=3")))
                .hasMessageStartingWith("unknown config key 'hiden_size' (known: name, corpus,");
    }

    @Test
    void outOfRangeOrWrongTypeNamesTheKeyAndTheRange() {
        assertThatThrownBy(() -> TrainConfig.defaults().with("learning_rate", "7"))
                .hasMessage("'learning_rate' must be a number in [1.0E-6, 1], got '7'");
        assertThatThrownBy(() -> TrainConfig.defaults().with("layers", "1.5"))
                .hasMessage("'layers' must be an integer in [1, 8], got '1.5'");
        assertThatThrownBy(() -> TrainConfig.defaults().with("batch_size", "many"))
                .hasMessage("'batch_size' must be an integer in [1, 4096], got 'many'");
        assertThatThrownBy(() -> TrainConfig.defaults().with("strict", "yes"))
                .hasMessage("'strict' must be true or false, got 'yes'");
        assertThatThrownBy(() -> TrainConfig.defaults().withOverrides(List.of("dropout")))
                .hasMessage("--set expects key=value, got 'dropout'");
    }

    @Test
    void tbpttMustDivideTheChunk() {
        assertThatThrownBy(() -> TrainConfig.defaults().with("tbptt_length", "60"))
                .hasMessageContaining("'tbptt_length' (60) must divide 'chunk_length' (200)");
    }

    @Test
    void yamlWithWrongTypesOrUnknownKeysIsRejected() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "hidden_size: [1, 2]\n");
        assertThatThrownBy(() -> TrainConfig.load(bad)).hasMessageStartingWith("'hidden_size' must be an integer");
        Files.writeString(bad, "colour: blue\n");
        assertThatThrownBy(() -> TrainConfig.load(bad)).hasMessageContaining("unknown config key 'colour'");
        Files.writeString(bad, "hidden_size: 1\n  x: : :\n");
        assertThatThrownBy(() -> TrainConfig.load(bad)).hasMessageContaining("is not valid YAML");
        Files.writeString(bad, "- a\n- b\n");
        assertThatThrownBy(() -> TrainConfig.load(bad)).hasMessageContaining("must be a map");
        assertThatThrownBy(() -> TrainConfig.load(dir.resolve("none.yaml"))).hasMessageContaining("does not exist");
    }

    @Test
    void roundTripsThroughAStoredMap() {
        TrainConfig c = TrainConfig.defaults().with("hidden_size", 32).with("seed", 9);
        assertThat(TrainConfig.fromMap(c.asMap())).isEqualTo(c);
    }

    @Test
    void aKeyWrittenTwiceInYamlIsRefusedRatherThanLastWins() throws Exception {
        Path twice = dir.resolve("twice.yaml");
        Files.writeString(twice, "hidden_size: 128\nlayers: 1\nhidden_size: 64\n");
        assertThatThrownBy(() -> TrainConfig.load(twice))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("config file " + twice + " sets 'hidden_size' more than once (again at line 3); keep one");
    }

    @Test
    void helpTextWrapsAtWordsUnderItsKeyAndShowsTheSeedRangeAsAnInteger() {
        String help = TrainConfig.describeKeys();
        assertThat(help).contains("9223372036854775807").doesNotContain("E18");
        for (String line : help.split(System.lineSeparator())) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(TrainConfig.HELP_WIDTH);
            assertThat(line).as("a key line or a continuation under the description column")
                    .matches("  [a-z_]+ +\\S.*|" + " ".repeat(23) + "\\S.*");
        }
        // Words are never split: every word of every description appears whole.
        assertThat(help.replaceAll("\\s+", " ")).contains("decoupled weight decay of the weight matrices, times the "
                + "learning rate, after each Adam step (0 = off)");
    }

    @Test
    void choicesAreTypedButStoredAndShownInLowerCase() {
        TrainConfig c = TrainConfig.defaults().withOverrides(List.of("plan=off", "lr_schedule=cosine", "engine=nd4j"));
        assertThat(c.plan()).isEqualTo(TrainConfig.Plan.OFF);
        assertThat(c.lrSchedule()).isEqualTo(TrainConfig.LrSchedule.COSINE);
        assertThat(c.lrSchedule()).isEqualTo(TrainConfig.LrSchedule.COSINE);
        assertThat(c.engine()).isEqualTo(TrainConfig.Engine.ND4J);
        assertThat(c.asMap()).containsEntry("plan", "off").containsEntry("lr_schedule", "cosine")
                .containsEntry("engine", "nd4j");
        assertThat(c.with("engine", TrainConfig.Engine.BLAS).asMap()).containsEntry("engine", "blas");
        assertThat(TrainConfig.describeKeys()).contains("(default auto; text)").doesNotContain("AUTO");
    }

    @Test
    void aChoiceOutsideItsValuesNamesThem() {
        assertThatThrownBy(() -> TrainConfig.defaults().with("plan", "maybe"))
                .hasMessage("'plan' must be auto or off, got 'maybe'");
        assertThatThrownBy(() -> TrainConfig.defaults().with("lr_schedule", "COSINE"))
                .hasMessage("'lr_schedule' must be constant or cosine, got 'COSINE'");
        assertThatThrownBy(() -> TrainConfig.defaults().with("engine", "gpu"))
                .hasMessage("'engine' must be auto, blas, nd4j or dl4j, got 'gpu'");
        assertThatThrownBy(() -> TrainConfig.defaults().with("engine", null))
                .hasMessage("'engine' must be text, got 'null'");
    }

    @Test
    void storedMapKeepsTheTypesItAlwaysHad() {
        var m = TrainConfig.defaults().asMap();
        assertThat(m.get("seed")).isInstanceOf(Long.class);
        assertThat(m.get("hidden_size")).isInstanceOf(Integer.class);
        assertThat(m.get("dropout")).isInstanceOf(Double.class);
        assertThat(m.get("strict")).isEqualTo(false);
        assertThat(m.get("name")).isEqualTo("faq");
        assertThat(m).hasSize(33);
    }
}

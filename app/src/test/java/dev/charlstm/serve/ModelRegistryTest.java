package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charlstm.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which models a folder yields, and how a request's model name is looked up. */
class ModelRegistryTest {

    static final ServiceLimits LIMITS = ServiceLimits.defaults();

    @TempDir
    static Path dir;
    static Path models;

    /** faq/model.zip and other.zip load; broken.zip is not a model; notes.txt and empty/ are no models at all. */
    @BeforeAll
    static void write() throws Exception {
        models = dir.resolve("models");
        TinyModels.savePeaky(models.resolve("faq").resolve("model.zip"));
        TinyModels.savePeaky(models.resolve("other.zip"));
        Files.writeString(models.resolve("broken.zip"), "not a zip file");
        Files.writeString(models.resolve("notes.txt"), "not a model");
        Files.createDirectories(models.resolve("empty"));
    }

    @Test
    void aFolderServesEachModelByNameAndListsTheBrokenOnesApart() throws Exception {
        try (ModelRegistry registry = ModelRegistry.fromDirectory(models, LIMITS)) {
            assertThat(registry.all()).extracting(ModelRegistry.Served::name).containsExactly("faq", "other");
            assertThat(registry.get("faq").file()).isEqualTo(models.resolve("faq").resolve("model.zip"));
            assertThat(registry.get("other").info().hiddenSize()).isEqualTo(16);
            assertThat(registry.unavailable()).containsOnlyKeys("broken");
            assertThat(registry.unavailable().get("broken")).doesNotContain("\n").isNotBlank();
        }
    }

    @Test
    void anUnknownNameIsA404ThatListsTheModels() throws Exception {
        try (ModelRegistry registry = ModelRegistry.fromDirectory(models, LIMITS)) {
            for (String name : List.of("nope", "../faq", "faq/model.zip", "FAQ")) {
                assertThatThrownBy(() -> registry.get(name)).as(name).isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status).isEqualTo(404);
                    assertThat(e.code).isEqualTo("unknown_model");
                    assertThat(e.getMessage()).endsWith("; available: [faq, other]");
                });
            }
            assertThatThrownBy(() -> registry.get("x".repeat(100))).hasMessageContaining("x".repeat(64) + "...'");
        }
    }

    @Test
    void aModelThatCouldNotBeLoadedIsA404ThatSaysWhy() throws Exception {
        try (ModelRegistry registry = ModelRegistry.fromDirectory(models, LIMITS)) {
            assertThatThrownBy(() -> registry.get("broken")).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.status).isEqualTo(404);
                assertThat(e.code).isEqualTo("model_unavailable");
                assertThat(e.getMessage()).isEqualTo("model 'broken' could not be loaded: "
                        + registry.unavailable().get("broken"));
            });
        }
    }

    @Test
    void withSeveralModelsTheNameIsRequiredAndWithOneItIsNot() throws Exception {
        try (ModelRegistry registry = ModelRegistry.fromDirectory(models, LIMITS)) {
            assertThatThrownBy(() -> registry.get(null)).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.status).isEqualTo(400);
                assertThat(e.getMessage()).isEqualTo("'model' is required: this service has [faq, other]");
            });
        }
        try (ModelRegistry registry = ModelRegistry.single(models.resolve("faq").resolve("model.zip"), LIMITS)) {
            assertThat(registry.get(null).name()).isEqualTo("faq"); // named after its folder
            assertThat(registry.get("faq")).isSameAs(registry.get(null));
        }
        try (ModelRegistry registry = ModelRegistry.single(models.resolve("other.zip"), LIMITS)) {
            assertThat(registry.get(null).name()).isEqualTo("other");
        }
    }

    @Test
    void aFolderWithoutALoadableModelIsRefusedAtStartUp() throws Exception {
        Path onlyBroken = Files.createDirectories(dir.resolve("only-broken"));
        Files.writeString(onlyBroken.resolve("bad.zip"), "junk");
        assertThatThrownBy(() -> ModelRegistry.fromDirectory(onlyBroken, LIMITS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--models: none of the 1 model(s) in " + onlyBroken + " could be loaded (bad: ");

        Path empty = Files.createDirectories(dir.resolve("no-models"));
        assertThatThrownBy(() -> ModelRegistry.fromDirectory(empty, LIMITS))
                .hasMessage("--models: no model.zip found in " + empty + " (train one first: train --out "
                        + empty.resolve("faq") + ")");

        assertThatThrownBy(() -> ModelRegistry.fromDirectory(models.resolve("notes.txt"), LIMITS))
                .hasMessage("--models: " + models.resolve("notes.txt") + " is not a directory");
    }
}

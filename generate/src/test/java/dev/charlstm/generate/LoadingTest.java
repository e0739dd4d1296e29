package dev.charlstm.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charlstm.format.ModelMetadata;
import dev.charlstm.format.PlainWeights;
import dev.charlstm.network.LstmShape;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way of loading a model, and every kind of bad model through each of them. */
class LoadingTest {

    private static final GenerationOptions OPTIONS = GenerationOptions.builder().prime("Th").length(80).seed(5L).build();

    @TempDir
    Path dir;

    /** One way of loading: from bytes written where it reads them, named as errors will name it. */
    interface Variant {
        Generator load(byte[] zip, Path dir, String name) throws IOException;

        String source(Path dir, String name);
    }

    static final Variant PATH = new Variant() {
        public Generator load(byte[] zip, Path dir, String name) throws IOException {
            return Generator.load(Files.write(dir.resolve(name), zip));
        }

        public String source(Path dir, String name) {
            return dir.resolve(name).toString();
        }
    };

    static final Variant STREAM = new Variant() {
        public Generator load(byte[] zip, Path dir, String name) throws IOException {
            return Generator.load(new ByteArrayInputStream(zip), name);
        }

        public String source(Path dir, String name) {
            return name;
        }
    };

    static final Variant RESOURCE = new Variant() {
        public Generator load(byte[] zip, Path dir, String name) throws IOException {
            Path root = Files.createDirectories(dir.resolve("classes-" + name));
            Files.write(Files.createDirectories(root.resolve("models")).resolve(name), zip);
            ClassLoader before = Thread.currentThread().getContextClassLoader();
            try (URLClassLoader loader = new URLClassLoader(new URL[] {root.toUri().toURL()}, null)) {
                Thread.currentThread().setContextClassLoader(loader);
                return Generator.loadResource("/models/" + name);
            } finally {
                Thread.currentThread().setContextClassLoader(before);
            }
        }

        public String source(Path dir, String name) {
            return "classpath:/models/" + name;
        }
    };

    static final List<Variant> VARIANTS = List.of(PATH, STREAM, RESOURCE);

    @Test
    void aFileAStreamAndAResourceGiveTheSameModel() throws Exception {
        byte[] zip = TestModels.model();
        List<Sample> fromPath = PATH.load(zip, dir, "a.zip").generate(OPTIONS);
        assertThat(STREAM.load(zip, dir, "b.zip").generate(OPTIONS)).isEqualTo(fromPath);
        assertThat(RESOURCE.load(zip, dir, "c.zip").generate(OPTIONS)).isEqualTo(fromPath);
        Generator g = PATH.load(zip, dir, "d.zip");
        assertThat(g.info().layers()).isEqualTo(2);
        assertThat(g.info().hiddenSize()).isEqualTo(16);
        assertThat(g.info().valLossNats()).isEqualTo(1.5);
        assertThat(fromPath.get(0).text()).hasSize(80);
    }

    @Test
    void loadingFromAStreamLeavesItOpen() throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        InputStream in = new ByteArrayInputStream(TestModels.model()) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        Generator.load(in);
        assertThat(closed).isFalse();
    }

    @Test
    void everyBadModelIsOneInvalidModelExceptionNamingItThroughEveryVariant() throws Exception {
        byte[] good = TestModels.model();
        Map<String, byte[]> entries = TestModels.entries(TestModels.weights(
                new LstmShape(TestModels.VOCABULARY.length(), 8, 16, 2), 7));
        Map<String, Bad> bad = new LinkedHashMap<>();
        bad.put("text.zip", new Bad("Just some text.\n".getBytes(StandardCharsets.UTF_8), "zip file"));
        bad.put("truncated.zip", new Bad(Arrays.copyOf(good, good.length / 2), "truncated"));
        byte[] corrupt = good.clone();
        for (int i = 200; i < 240; i++) {
            corrupt[i] ^= 0x5a;
        }
        bad.put("corrupt.zip", new Bad(corrupt, "not a readable zip file"));
        bad.put("foreign.zip", new Bad(TestModels.zip(Map.of("readme.txt", new byte[] {'h', 'i'})),
                "is not a charlstm model (the zip has no charlstm/metadata.json)"));
        bad.put("newer.zip", new Bad(TestModels.zip(with(entries, ModelMetadata.ENTRY,
                TestModels.metadata(ModelMetadata.FORMAT_VERSION + 1).toJson())),
                "was written in format version " + (ModelMetadata.FORMAT_VERSION + 1) + " by a newer charlstm"));
        Map<String, byte[]> old = with(entries, ModelMetadata.ENTRY, TestModels.metadata(1).toJson());
        old.remove(PlainWeights.LAYOUT_ENTRY);
        old.remove(PlainWeights.DATA_ENTRY);
        bad.put("old.zip", new Bad(TestModels.zip(old), "was written in format version 1"));
        bad.put("no-weights.zip", new Bad(TestModels.zip(without(entries, PlainWeights.DATA_ENTRY)),
                "the zip has no charlstm/weights.f32"));
        bad.put("short-weights.zip", new Bad(TestModels.zip(with(entries, PlainWeights.DATA_ENTRY, new byte[64])),
                "bytes; the layout needs"));
        byte[] bomb = new byte[(int) PlainWeights.dataBytes(new LstmShape(
                TestModels.VOCABULARY.length(), 8, 16, 2)) + 4096];
        bad.put("bomb.zip", new Bad(TestModels.zip(with(entries, PlainWeights.DATA_ENTRY, bomb)),
                "it can legitimately be"));
        bad.put("layout.zip", new Bad(TestModels.zip(with(entries, PlainWeights.LAYOUT_ENTRY,
                new String(entries.get(PlainWeights.LAYOUT_ENTRY), StandardCharsets.UTF_8)
                        .replace("float32", "float16").getBytes(StandardCharsets.UTF_8))),
                "its charlstm/weights.json is not a layout this version reads: its dtype is \"float16\""));
        bad.put("metadata.zip", new Bad(TestModels.zip(with(entries, ModelMetadata.ENTRY, "{not json".getBytes())),
                "its charlstm/metadata.json is not valid metadata"));
        // Each dimension within its bounds, their product 8.6 G parameters: refused before any data is read.
        bad.put("huge-layout.zip", new Bad(TestModels.zip(with(entries, PlainWeights.LAYOUT_ENTRY,
                PlainWeights.layout(new LstmShape(TestModels.VOCABULARY.length(), 16384, 16384, 4)))),
                "parameters, more than the 268,435,456 this reader loads"));
        String layout = new String(entries.get(PlainWeights.LAYOUT_ENTRY), StandardCharsets.UTF_8);
        bad.put("bytes.zip", new Bad(TestModels.zip(with(entries, PlainWeights.LAYOUT_ENTRY,
                layout.replaceFirst("\"bytes\" : \\d+", "\"bytes\" : 7").getBytes(StandardCharsets.UTF_8))),
                "it says the data is 7 bytes"));
        bad.put("elsewhere.zip", new Bad(TestModels.zip(with(entries, PlainWeights.LAYOUT_ENTRY,
                layout.replace("\"charlstm/weights.f32\"", "\"elsewhere.bin\"").getBytes(StandardCharsets.UTF_8))),
                "its data entry is \"elsewhere.bin\""));
        bad.put("two-line-format.zip", new Bad(TestModels.zip(with(entries, ModelMetadata.ENTRY,
                new ModelMetadata("other\nformat", 2, TestModels.VOCABULARY, null, null, null).toJson())),
                "format is 'other\\u000aformat'"));

        for (Variant variant : VARIANTS) {
            for (Map.Entry<String, Bad> b : bad.entrySet()) {
                String source = variant.source(dir, b.getKey());
                assertThatThrownBy(() -> variant.load(b.getValue().zip(), dir, b.getKey()))
                        .as("%s through %s", b.getKey(), source)
                        .isInstanceOf(InvalidModelException.class)
                        .hasMessageStartingWith(source + ": ")
                        .hasMessageContaining(b.getValue().problem())
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"))
                        .satisfies(e -> assertThat(((InvalidModelException) e).source()).isEqualTo(source));
            }
        }
    }

    @Test
    void anOldModelIsToldHowToUpgrade() {
        Map<String, byte[]> old = with(TestModels.entries(TestModels.weights(
                new LstmShape(TestModels.VOCABULARY.length(), 8, 16, 1), 3)),
                ModelMetadata.ENTRY, TestModels.metadata(1).toJson());
        assertThatThrownBy(() -> STREAM.load(TestModels.zip(old), dir, "m.zip"))
                .hasMessageContaining("add the plain weights this library reads with `charlstm upgrade-model m.zip`");
    }

    @Test
    void missingFilesAndResourcesAreNamed() {
        assertThatThrownBy(() -> Generator.load(dir.resolve("none.zip")))
                .isInstanceOf(InvalidModelException.class).hasMessage(dir.resolve("none.zip") + ": no such file");
        assertThatThrownBy(() -> Generator.load(dir)).hasMessage(dir + ": not a regular file");
        assertThatThrownBy(() -> Generator.loadResource("/models/none.zip"))
                .isInstanceOf(InvalidModelException.class)
                .hasMessage("classpath:/models/none.zip: no such resource on the class path");
        assertThatThrownBy(() -> Generator.loadResource("models/x.zip"))
                .hasMessage("classpath:models/x.zip: a resource name must be absolute (start with '/')");
    }

    record Bad(byte[] zip, String problem) {}

    private static Map<String, byte[]> with(Map<String, byte[]> entries, String name, byte[] value) {
        Map<String, byte[]> copy = new LinkedHashMap<>(entries);
        copy.put(name, value);
        return copy;
    }

    private static Map<String, byte[]> without(Map<String, byte[]> entries, String name) {
        Map<String, byte[]> copy = new LinkedHashMap<>(entries);
        copy.remove(name);
        return copy;
    }
}

package dev.charlstm.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.charlstm.format.ModelMetadata;
import dev.charlstm.format.PlainWeights;
import dev.charlstm.model.ModelFile;
import dev.charlstm.network.Gate;
import dev.charlstm.network.LstmShape;
import dev.charlstm.testing.Fixtures;
import dev.charlstm.testing.TinyModels;
import dev.charlstm.text.Vocabulary;
import dev.charlstm.train.TrainConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps docs/model-format.md true to the files charlstm writes: it saves a real model and a real
 * checkpoint and compares them with the doc's tables (entries and their order, every JSON key, the
 * tensor list, the gate order, the version numbers). Any drift between the writer and the
 * contract fails here, whichever side moved.
 */
class ModelFormatDocTest {

    private static final Path DOC = Fixtures.PROJECT.resolve("docs").resolve("model-format.md");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static Path model;
    private static Path checkpoint;
    private static List<String> lines;

    /** One model with the metadata a run has before its first validation, one checkpoint with every field set. */
    @BeforeAll
    static void saveAModelAndACheckpoint() throws IOException {
        TrainConfig config = TinyModels.config().with("layers", 2);
        MultiLayerNetwork net = TinyModels.network(config);
        model = dir.resolve("model.zip");
        ModelFile.save(model, net, TinyModels.metadata(config));
        checkpoint = dir.resolve("latest.zip");
        ModelFile.saveCheckpoint(checkpoint, net, everyFieldSet(config), "{\"iteration\":5}".getBytes(StandardCharsets.UTF_8));
        lines = Files.readAllLines(DOC);
    }

    private static ModelMetadata everyFieldSet(TrainConfig config) {
        return new ModelMetadata(ModelMetadata.FORMAT, ModelMetadata.FORMAT_VERSION, Vocabulary.printable().chars(),
                new ModelMetadata.Normalization(1, "test"), config.asMap(),
                new ModelMetadata.Training("ab12", 1000, "file:corpus.txt", 5, 3.1, 4.47, "2026-12-01T00:00:00Z",
                        "cpu", "test", 3.2, Map.of("chosen", "batch_size=8")));
    }

    @Test
    void theEntryTableListsExactlyTheEntriesOfAModelAndOfACheckpointInTheirOrder() throws IOException {
        List<List<String>> rows = table("The zip", "#");
        for (int i = 0; i < rows.size(); i++) {
            assertThat(rows.get(i).get(0)).as("numbering of the entry table").isEqualTo(String.valueOf(i + 1));
        }
        assertThat(rows).allSatisfy(r -> assertThat(r.get(2)).as("the In column of " + r.get(1))
                .matches("model, checkpoint|checkpoint"));
        List<String> inModels = rows.stream().filter(r -> r.get(2).contains("model")).map(r -> r.get(1)).toList();
        List<String> inCheckpoints = rows.stream().filter(r -> r.get(2).contains("checkpoint")).map(r -> r.get(1)).toList();

        assertThat(entries(model)).as("entries of a model, in zip order").isEqualTo(inModels);
        assertThat(entries(checkpoint)).as("entries of a checkpoint, in zip order").isEqualTo(inCheckpoints);
    }

    @Test
    void theMetadataTableDocumentsEveryKeyOfTheMetadataAndNoOther() throws IOException {
        List<List<String>> rows = table("metadata.json", "Key");
        Set<String> open = openObjects(rows);
        assertThat(open).as("objects the doc leaves open").contains("hyperparameters");

        JsonNode full = json(checkpoint, ModelMetadata.ENTRY);
        assertThat(flatten(full, open)).as("keys of a metadata.json with every field set")
                .containsExactlyInAnyOrderElementsOf(keys(rows));
        JsonNode sparse = json(model, ModelMetadata.ENTRY);
        assertThat(flatten(sparse, open)).as("keys of a metadata.json with only what every model has")
                .containsExactlyInAnyOrderElementsOf(keys(rows.stream().filter(r -> r.get(2).equals("always")).toList()));
        assertThat(rows).allSatisfy(r -> assertThat(r.get(2)).as("Present of " + r.get(0)).matches("always|optional.*"));
        assertTypes(rows, full);
        assertThat(cell("metadata.json", "Key", "format", 3)).contains("`" + full.get("format").asText() + "`");
    }

    @Test
    void theLayoutTableDocumentsEveryKeyOfWeightsJsonAndNoOther() throws IOException {
        List<List<String>> rows = table("weights.json", "Key");
        JsonNode layout = json(model, PlainWeights.LAYOUT_ENTRY);
        assertThat(flatten(layout, Set.of())).containsExactlyInAnyOrderElementsOf(keys(rows));
        assertThat(rows).allSatisfy(r -> assertThat(r.get(2)).as("Present of " + r.get(0)).isEqualTo("always"));
        assertTypes(rows, layout);
        // The fixed values are spelled out in the doc: a reader must compare against exactly these.
        for (String key : List.of("format", "architecture", "dtype", "byte_order", "data")) {
            assertThat(cell("weights.json", "Key", key, 3)).as("meaning of " + key).contains("`" + layout.get(key).asText() + "`");
        }
    }

    @Test
    void theTensorTableNamesAndShapesTheTensorsOfATwoLayerNetwork() throws IOException {
        JsonNode layout = json(model, PlainWeights.LAYOUT_ENTRY);
        LstmShape shape = new LstmShape(layout.get("vocabulary").asInt(), layout.get("embedding").asInt(),
                layout.get("hidden").asInt(), layout.get("layers").asInt());
        assertThat(shape.layers()).isEqualTo(2);
        List<LstmShape.Tensor> expected = shape.tensors();

        List<LstmShape.Tensor> documented = expandGeneric(table("Tensors", "#"), shape);
        assertThat(documented).isEqualTo(expected);
        List<String> inFile = new ArrayList<>();
        layout.get("tensors").forEach(t -> inFile.add(t.get("name").asText()));
        assertThat(documented.stream().map(LstmShape.Tensor::name).toList()).isEqualTo(inFile);
    }

    @Test
    void theWorkedExampleIsWhatTheWriterLaysOutForThatShape() throws IOException {
        String sentence = section("Tensors").stream().filter(l -> l.contains("V = ")).findFirst().orElseThrow();
        Matcher m = Pattern.compile("V = (\\d+), E = (\\d+), H = (\\d+), L = (\\d+)\\),\\s*$").matcher(sentence);
        assertThat(m.find()).as("the example's dimensions in: " + sentence).isTrue();
        LstmShape shape = new LstmShape(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
        TrainConfig defaults = TrainConfig.defaults();
        assertThat(shape).as("the example is the default configuration's network")
                .isEqualTo(new LstmShape(Vocabulary.printable().size(), defaults.embeddingSize(), defaults.hiddenSize(),
                        defaults.layers()));
        assertThat(shape.layers()).as("the example is a 2-layer network").isEqualTo(2);
        List<String> section = section("Tensors");
        String parameters = section.get(section.indexOf(sentence) + 1);
        assertThat(parameters).isEqualTo(String.format(Locale.ROOT, "%,d parameters:", shape.parameters()));

        JsonNode layout = JSON.readTree(PlainWeights.layout(shape));
        List<List<String>> want = new ArrayList<>();
        layout.get("tensors").forEach(t -> want.add(List.of(t.get("name").asText(),
                t.get("shape").get(0).asInt() + " × " + t.get("shape").get(1).asInt(),
                String.format(Locale.ROOT, "%,d", t.get("offset").asLong()))));
        want.add(List.of("(bytes)", "", String.format(Locale.ROOT, "%,d", layout.get("bytes").asLong())));
        assertThat(table("Tensors", "Name")).isEqualTo(want);
    }

    @Test
    void theGateTableIsTheGateOrderInTheFile() throws IOException {
        List<List<String>> rows = table("Gates", "Block");
        List<String> order = Arrays.stream(Gate.values()).map(g -> g.name().toLowerCase(Locale.ROOT)).toList();
        assertThat(rows.stream().map(r -> r.get(0)).toList()).isEqualTo(order);
        List<String> inFile = new ArrayList<>();
        json(model, PlainWeights.LAYOUT_ENTRY).get("gate_order").forEach(g -> inFile.add(g.asText()));
        assertThat(inFile).isEqualTo(order);
        for (int g = 0; g < rows.size(); g++) {
            assertThat(rows.get(g).get(1)).as("columns of " + order.get(g)).isEqualTo("[" + timesH(g) + ", " + timesH(g + 1) + ")");
            assertThat(rows.get(g).get(3)).as("activation of " + order.get(g)).isEqualTo(g == 0 ? "tanh" : "sigmoid");
        }
    }

    @Test
    void theDocumentedVersionsAreTheOnesWrittenAndRead() throws IOException {
        assertThat(cell("Current versions", "Version", "format version", 2)).isEqualTo(String.valueOf(ModelMetadata.FORMAT_VERSION));
        assertThat(cell("Current versions", "Version", "layout version", 2)).isEqualTo(String.valueOf(PlainWeights.LAYOUT_VERSION));
        assertThat(json(model, ModelMetadata.ENTRY).get("format_version").asInt()).isEqualTo(ModelMetadata.FORMAT_VERSION);
        assertThat(json(model, PlainWeights.LAYOUT_ENTRY).get("version").asInt()).isEqualTo(PlainWeights.LAYOUT_VERSION);

        List<List<String>> history = table("Versions and compatibility", "`format_version`");
        assertThat(history.stream().map(r -> r.get(0)).toList()).as("the history lists every version up to the current one")
                .isEqualTo(java.util.stream.IntStream.rangeClosed(1, ModelMetadata.FORMAT_VERSION).mapToObj(String::valueOf).toList());
    }

    // ---- the real files ----

    private static List<String> entries(Path zip) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
            }
        }
        return names;
    }

    private static JsonNode json(Path zip, String entry) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().equals(entry)) {
                    return JSON.readTree((InputStream) in);
                }
            }
        }
        throw new AssertionError(zip + " has no " + entry);
    }

    /** Every key as the doc writes it: {@code a.b} inside objects, {@code a[].b} inside arrays of objects. */
    private static Set<String> flatten(JsonNode node, Set<String> open) {
        Set<String> keys = new LinkedHashSet<>();
        flatten(node, "", open, keys);
        return keys;
    }

    private static void flatten(JsonNode node, String prefix, Set<String> open, Set<String> keys) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = prefix + f.getKey();
            keys.add(key);
            if (open.contains(key)) {
                continue;
            }
            if (f.getValue().isObject()) {
                flatten(f.getValue(), key + ".", open, keys);
            } else if (f.getValue().isArray()) {
                for (JsonNode element : f.getValue()) {
                    if (element.isObject()) {
                        flatten(element, key + "[].", open, keys);
                    }
                }
            }
        }
    }

    /** The Type column against the value in the file, for every key the file has. */
    private static void assertTypes(List<List<String>> rows, JsonNode root) {
        for (List<String> row : rows) {
            JsonNode value = root;
            for (String part : row.get(0).replace("[]", ".0").split("\\.")) {
                value = part.equals("0") ? value.get(0) : value.get(part);
            }
            String type = row.get(1);
            String key = row.get(0);
            switch (type.split(" ")[0]) {
                case "string" -> assertThat(value.isTextual()).as(key + " is a string").isTrue();
                case "integer" -> assertThat(value.isIntegralNumber()).as(key + " is an integer").isTrue();
                case "number" -> assertThat(value.isNumber()).as(key + " is a number").isTrue();
                case "object" -> assertThat(value.isObject()).as(key + " is an object").isTrue();
                case "array" -> assertThat(value.isArray()).as(key + " is an array").isTrue();
                default -> throw new AssertionError("unknown type '" + type + "' of " + key + " in the doc");
            }
        }
    }

    // ---- the doc ----

    /** The lines under the heading whose text is {@code heading}, up to the next heading of the same or a higher level. */
    private static List<String> section(String heading) {
        for (int i = 0; i < lines.size(); i++) {
            Matcher h = Pattern.compile("^(#+) (.*)$").matcher(lines.get(i));
            if (h.matches() && h.group(2).equals(heading)) {
                int level = h.group(1).length();
                int end = i + 1;
                while (end < lines.size() && !lines.get(end).matches("^#{1," + level + "} .*")) {
                    end++;
                }
                return lines.subList(i + 1, end);
            }
        }
        throw new AssertionError(DOC + " has no heading '" + heading + "'");
    }

    /** The body rows of the first table under {@code heading} whose first header cell is {@code firstHeader}, backticks dropped. */
    private static List<List<String>> table(String heading, String firstHeader) {
        return rawTable(heading, firstHeader).stream().map(r -> r.stream().map(c -> c.replace("`", "")).toList()).toList();
    }

    /** As {@link #table}, backticks kept. */
    private static List<List<String>> rawTable(String heading, String firstHeader) {
        List<String> section = section(heading);
        for (int i = 0; i + 1 < section.size(); i++) {
            if (section.get(i).startsWith("|") && cells(section.get(i)).get(0).equals(firstHeader)
                    && section.get(i + 1).startsWith("|---")) {
                List<List<String>> rows = new ArrayList<>();
                for (int j = i + 2; j < section.size() && section.get(j).startsWith("|"); j++) {
                    rows.add(cells(section.get(j)));
                }
                return rows;
            }
        }
        throw new AssertionError(DOC + ": no table headed '" + firstHeader + "' under '" + heading + "'");
    }

    private static List<String> cells(String row) {
        String inner = row.strip().replaceAll("^\\|", "").replaceAll("\\|$", "");
        return Arrays.stream(inner.split("\\|", -1)).map(String::strip).toList();
    }

    private static List<String> keys(List<List<String>> rows) {
        return rows.stream().map(r -> r.get(0)).toList();
    }

    private static Set<String> openObjects(List<List<String>> rows) {
        Set<String> open = new LinkedHashSet<>();
        rows.stream().filter(r -> r.get(1).equals("object (open)")).forEach(r -> open.add(r.get(0)));
        return open;
    }

    /** The cell (backticks kept) in {@code column} of the row for {@code key} in the table {@link #table} finds. */
    private static String cell(String heading, String firstHeader, String key, int column) {
        return rawTable(heading, firstHeader).stream().filter(r -> r.get(0).replace("`", "").equals(key)).findFirst()
                .map(r -> r.get(column))
                .orElseThrow(() -> new AssertionError("the table under '" + heading + "' has no row for " + key));
    }

    /**
     * The generic tensor table made concrete: the {@code lstm.l.} rows repeated for each layer,
     * every shape evaluated with the network's V, E and H.
     */
    private static List<LstmShape.Tensor> expandGeneric(List<List<String>> rows, LstmShape shape) {
        Map<String, Integer> dims = new LinkedHashMap<>(Map.of("V", shape.vocabulary(), "E", shape.embedding(),
                "H", shape.hidden()));
        List<LstmShape.Tensor> out = new ArrayList<>();
        List<List<String>> layerRows = rows.stream().filter(r -> r.get(1).startsWith("lstm.l.")).toList();
        boolean layersDone = false;
        for (List<String> row : rows) {
            if (!row.get(1).startsWith("lstm.l.")) {
                out.add(tensor(row.get(1), row.get(2), 0, dims));
            } else if (!layersDone) {
                for (int l = 0; l < shape.layers(); l++) {
                    for (List<String> r : layerRows) {
                        out.add(tensor(r.get(1).replace("lstm.l.", "lstm." + l + "."), r.get(2), l, dims));
                    }
                }
                layersDone = true;
            }
        }
        return out;
    }

    /** {@code "E × 4H for l = 0, H × 4H after"} or {@code "H × V"}, evaluated for layer {@code l}. */
    private static LstmShape.Tensor tensor(String name, String shape, int l, Map<String, Integer> dims) {
        String s = shape;
        Matcher cond = Pattern.compile("(.+) for l = 0, (.+) after").matcher(shape);
        if (cond.matches()) {
            s = l == 0 ? cond.group(1) : cond.group(2);
        }
        String[] parts = s.split(" × ");
        assertThat(parts).as("shape of " + name + ": " + shape).hasSize(2);
        return new LstmShape.Tensor(name, dimension(parts[0], dims), dimension(parts[1], dims));
    }

    private static int dimension(String term, Map<String, Integer> dims) {
        Matcher m = Pattern.compile("(\\d*)([VEH]?)").matcher(term.strip());
        assertThat(m.matches()).as("a dimension like 4H: " + term).isTrue();
        int factor = m.group(1).isEmpty() ? 1 : Integer.parseInt(m.group(1));
        return m.group(2).isEmpty() ? factor : factor * dims.get(m.group(2));
    }

    private static String timesH(int n) {
        return n == 0 ? "0" : n == 1 ? "H" : n + "H";
    }
}

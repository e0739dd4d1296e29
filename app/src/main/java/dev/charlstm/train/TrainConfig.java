package dev.charlstm.train;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every training hyperparameter, as plain overridable values with checked ranges.
 *
 * <p>Values come from {@code config/train.yaml} (or built-in defaults of the same values), then
 * {@code --set key=value} overrides. An unknown key or an out-of-range value is an error that
 * names the key and what it accepts.
 *
 * <pre>{@code
 * TrainConfig c = TrainConfig.load(Path.of("config/train.yaml")).with("hidden_size", "128");
 * int h = c.hiddenSize();
 * }</pre>
 */
public final class TrainConfig {

    private record Key(String name, Object defaultValue, double min, double max, String help) {
        String range() {
            if (defaultValue instanceof String) {
                return "text";
            }
            if (defaultValue instanceof Boolean) {
                return "true or false";
            }
            String kind = defaultValue instanceof Integer || defaultValue instanceof Long ? "an integer" : "a number";
            return kind + " in [" + fmt(min) + ", " + fmt(max) + "]";
        }

        private static String fmt(double v) {
            // Long.MAX_VALUE as a double is 2^63, which a long cannot hold: show the integer users
            // can actually type rather than 9.223372036854776E18.
            if (v >= 0x1p63) {
                return String.valueOf(Long.MAX_VALUE);
            }
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
        }
    }

    private static final List<Key> KEYS = List.of(
            new Key("name", "faq", 0, 0, "model name: output goes to models/<name>/"),
            new Key("corpus", "default", 0, 0, "'default' (live FAQ, bundled snapshot offline), a file or a URL"),
            new Key("strict", false, 0, 0, "fail on characters outside the vocabulary instead of dropping them"),
            new Key("validation_fraction", 0.1, 0.01, 0.5, "part of the text held out for validation, just before the test text"),
            new Key("test_fraction", 0.05, 0.0, 0.5, "tail of the text held out as test text: never trained on, never used "
                    + "to choose the model"),
            new Key("plan", "auto", 0, 0, "'auto': choose the network, batch, dropout and validation interval for this "
                    + "machine, text and budget, keeping every key given with --set or --config; 'off': train the "
                    + "configuration as given"),
            new Key("chunk_length", 200, 2, 100_000, "characters per random text portion"),
            new Key("batch_size", 64, 1, 4096, "text portions per iteration"),
            new Key("tbptt_length", 50, 1, 100_000, "truncated BPTT length; must divide chunk_length"),
            new Key("embedding_size", 64, 1, 4096, "character embedding width"),
            new Key("hidden_size", 384, 1, 8192, "LSTM units per layer"),
            new Key("layers", 2, 1, 8, "stacked LSTM layers"),
            new Key("dropout", 0.4, 0.0, 0.9, "dropout probability on the input of every layer after the first LSTM"),
            new Key("learning_rate", 0.005, 1e-6, 1.0, "Adam learning rate"),
            new Key("lr_schedule", "constant", 0, 0, "'constant': the rate times lr_decay every lr_decay_every "
                    + "iterations; 'cosine': a 5% warm-up, then a cosine decay to a tenth of the rate at "
                    + "lr_schedule_end"),
            new Key("lr_schedule_end", 0L, 0, 100_000_000, "where the cosine schedule ends (0 = at "
                    + "'iterations'; a planned run sets it to the iterations it plans)"),
            new Key("lr_decay", 1.0, 0.01, 1.0, "learning rate factor applied every lr_decay_every iterations"),
            new Key("lr_decay_every", 100, 1, 1_000_000, "iterations between learning rate decays"),
            new Key("grad_clip", 5.0, 0.0, 1e6, "per-layer gradient L2 norm clip (0 = off)"),
            new Key("weight_decay", 0.0, 0.0, 1.0, "decoupled weight decay of the weight matrices, times the learning "
                    + "rate, after each Adam step (0 = off)"),
            new Key("seed", 123L, 0, Long.MAX_VALUE, "seed for weights, chunks and sampling"),
            new Key("iterations", 2000L, 1, 100_000_000, "stop after this many iterations"),
            new Key("max_seconds", 300L, 1, 30L * 24 * 3600, "stop after this much wall time"),
            new Key("eval_every", 10, 1, 1_000_000, "iterations between validations"),
            new Key("eval_chars", 30_000, 0, 1_000_000_000, "characters of the validation text measured at each "
                    + "validation during the run, a fixed stretch at its start (0 = all of it); at the end the chosen "
                    + "model is measured on all of it, or as much as 5% of max_seconds reads"),
            new Key("checkpoint_seconds", 30, 0, 1_000_000, "least seconds between checkpoints at validations (0 = at "
                    + "every validation); a run always checkpoints when it stops"),
            new Key("patience", 6, 0, 1_000_000, "stop after this many validations without improvement (0 = never)"),
            new Key("sample_prime", "Th", 0, 0, "prime text of the sample logged at every checkpoint"),
            new Key("sample_length", 200, 0, 100_000, "characters of that sample"),
            new Key("sample_temperature", 0.8, 0.0, 10.0, "temperature of that sample"),
            new Key("engine", "auto", 0, 0, "'auto': 'blas' on the CPU, 'nd4j' elsewhere; 'blas': LSTM gradients in "
                    + "BLAS calls with batch rows on several threads; 'nd4j': the same gradient in ND4J operations, on any "
                    + "backend; 'dl4j': DL4J's own LSTM layer, only where chunk_length equals tbptt_length"),
            new Key("threads", 0, 0, 1024, "training threads: batch shards for 'blas', ND4J/OpenMP threads for 'dl4j' "
                    + "(0 = one per core, at most one per 16 batch rows, for 'blas'; 1 for 'dl4j')"),
            new Key("workers", 1, 1, 64, "batches per step, their gradients averaged (synchronous data parallelism)"));

    // A key written twice is almost always an edit that forgot the first one; last-wins would
    // silently train with whichever came later, so the parser refuses it.
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Map<String, Object> values;

    private TrainConfig(Map<String, Object> values) {
        this.values = values;
    }

    /** The built-in defaults (the same values as the shipped {@code config/train.yaml}). */
    public static TrainConfig defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
        KEYS.forEach(k -> values.put(k.name(), k.defaultValue()));
        return new TrainConfig(values).validated();
    }

    /** Defaults overridden by a YAML file of {@code key: value} lines. */
    public static TrainConfig load(Path yaml) throws IOException {
        if (!Files.isRegularFile(yaml)) {
            throw new IllegalArgumentException("config file " + yaml + " does not exist");
        }
        Object parsed;
        try {
            parsed = YAML.readValue(yaml.toFile(), Object.class);
        } catch (JacksonException e) {
            String problem = e.getOriginalMessage();
            if (problem != null && problem.startsWith("Duplicate field ")) {
                String line = e.getLocation() == null ? "" : " (again at line " + e.getLocation().getLineNr() + ")";
                throw new IllegalArgumentException("config file " + yaml + " sets "
                        + problem.substring("Duplicate field ".length()) + " more than once" + line
                        + "; keep one");
            }
            throw new IllegalArgumentException("config file " + yaml + " is not valid YAML: " + problem);
        }
        if (parsed == null) {
            return defaults();
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("config file " + yaml + " must be a map of key: value lines");
        }
        Map<String, Object> changes = new LinkedHashMap<>();
        map.forEach((k, v) -> changes.put(String.valueOf(k), v == null ? NULL : v));
        return defaults().withAll(changes);
    }

    /** The keys a YAML configuration file sets (a planned run keeps them as given). */
    public static java.util.Set<String> keysIn(Path yaml) throws IOException {
        load(yaml); // the same errors as loading it
        Object parsed = YAML.readValue(yaml.toFile(), Object.class);
        java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        if (parsed instanceof Map<?, ?> map) {
            map.keySet().forEach(k -> keys.add(String.valueOf(k)));
        }
        return keys;
    }

    /** Rebuilds a configuration stored in a model file (unknown keys from other versions are errors). */
    public static TrainConfig fromMap(Map<String, ?> stored) {
        Map<String, Object> changes = new LinkedHashMap<>();
        stored.forEach((k, v) -> changes.put(k, v == null ? NULL : v));
        return defaults().withAll(changes);
    }

    /**
     * A copy with one key changed; {@code value} may be a string from the command line.
     *
     * @throws IllegalArgumentException naming the key and the accepted range
     */
    public TrainConfig with(String name, Object value) {
        return withAll(Map.of(name, value == null ? NULL : value));
    }

    private static final Object NULL = new Object();

    /** A copy with several keys changed at once; cross-key rules are checked on the result. */
    private TrainConfig withAll(Map<String, Object> changes) {
        Map<String, Object> copy = new LinkedHashMap<>(values);
        for (Map.Entry<String, Object> change : changes.entrySet()) {
            String name = change.getKey();
            Key key = KEYS.stream().filter(k -> k.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown config key '" + name + "' (known: "
                            + String.join(", ", KEYS.stream().map(Key::name).toList()) + ")"));
            copy.put(name, coerce(key, change.getValue() == NULL ? null : change.getValue()));
        }
        return new TrainConfig(copy).validated();
    }

    /** Applies {@code key=value} overrides as given on the command line. */
    public TrainConfig withOverrides(List<String> assignments) {
        Map<String, Object> changes = new LinkedHashMap<>();
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set expects key=value, got '" + a + "'");
            }
            changes.put(a.substring(0, eq).trim(), a.substring(eq + 1).trim());
        }
        return withAll(changes);
    }

    private static Object coerce(Key key, Object value) {
        String shown = "'" + key.name() + "' must be " + key.range() + ", got '" + value + "'";
        Object d = key.defaultValue();
        if (value == null) {
            throw new IllegalArgumentException(shown);
        }
        if (d instanceof String) {
            if (value instanceof Map || value instanceof List) {
                throw new IllegalArgumentException(shown);
            }
            return String.valueOf(value);
        }
        if (d instanceof Boolean) {
            String s = String.valueOf(value).toLowerCase();
            if (!s.equals("true") && !s.equals("false")) {
                throw new IllegalArgumentException(shown);
            }
            return Boolean.parseBoolean(s);
        }
        double number;
        try {
            number = value instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(shown);
        }
        boolean integral = d instanceof Integer || d instanceof Long;
        if (Double.isNaN(number) || number < key.min() || number > key.max()
                || (integral && number != Math.rint(number))) {
            throw new IllegalArgumentException(shown);
        }
        if (d instanceof Integer) {
            return (int) number;
        }
        return d instanceof Long ? (Object) (long) number : (Object) number;
    }

    private TrainConfig validated() {
        if (chunkLength() % tbpttLength() != 0) {
            throw new IllegalArgumentException("'tbptt_length' (" + tbpttLength() + ") must divide 'chunk_length' ("
                    + chunkLength() + ") so that every training segment has the same length");
        }
        if (!List.of("constant", "cosine").contains(lrSchedule())) {
            throw new IllegalArgumentException("'lr_schedule' must be constant or cosine, got '" + lrSchedule() + "'");
        }
        if (!List.of("auto", "off").contains(plan())) {
            throw new IllegalArgumentException("'plan' must be auto or off, got '" + plan() + "'");
        }
        if (validationFraction() + testFraction() > 0.6) {
            throw new IllegalArgumentException("'validation_fraction' + 'test_fraction' must be at most 0.6, got "
                    + (validationFraction() + testFraction()));
        }
        if (!List.of("auto", "blas", "nd4j", "dl4j").contains(engine())) {
            throw new IllegalArgumentException("'engine' must be auto, blas, nd4j or dl4j, got '" + engine() + "'");
        }
        if (name().isBlank() || !name().matches("[A-Za-z0-9._-]+") || name().startsWith(".")) {
            throw new IllegalArgumentException("'name' must be letters, digits, '.', '_' or '-', got '" + name() + "'");
        }
        return this;
    }

    /** All values, in declaration order (stored in model files and metrics). */
    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(values);
    }

    /** Width of the text {@link #describeKeys()} produces, picocli's default usage width. */
    public static final int HELP_WIDTH = 80;

    /**
     * Every key with its range and meaning, for {@code --help}: the key in a column of its own, the
     * description wrapped at word boundaries to {@link #HELP_WIDTH} columns and indented under it
     * (left to picocli, long lines wrap to column 0 mid-word).
     */
    public static String describeKeys() {
        String indent = " ".repeat(23);
        StringBuilder sb = new StringBuilder();
        for (Key k : KEYS) {
            String text = k.help() + " (default " + k.defaultValue() + "; " + k.range() + ")";
            StringBuilder line = new StringBuilder(String.format("  %-20s", k.name()));
            if (line.length() > indent.length() - 1) {
                sb.append(line).append(System.lineSeparator());
                line = new StringBuilder(indent.substring(1));
            }
            for (String word : text.split(" ")) {
                if (line.length() + 1 + word.length() > HELP_WIDTH && line.length() > indent.length()) {
                    sb.append(line).append(System.lineSeparator());
                    line = new StringBuilder(indent.substring(1));
                }
                line.append(' ').append(word);
            }
            sb.append(line).append(System.lineSeparator());
        }
        return sb.toString();
    }

    public String name() { return (String) values.get("name"); }
    public String corpus() { return (String) values.get("corpus"); }
    public boolean strict() { return (Boolean) values.get("strict"); }
    public double validationFraction() { return (Double) values.get("validation_fraction"); }
    public double testFraction() { return (Double) values.get("test_fraction"); }
    public String plan() { return (String) values.get("plan"); }
    public int chunkLength() { return (Integer) values.get("chunk_length"); }
    public int batchSize() { return (Integer) values.get("batch_size"); }
    public int tbpttLength() { return (Integer) values.get("tbptt_length"); }
    public int embeddingSize() { return (Integer) values.get("embedding_size"); }
    public int hiddenSize() { return (Integer) values.get("hidden_size"); }
    public int layers() { return (Integer) values.get("layers"); }
    public double dropout() { return (Double) values.get("dropout"); }
    public double learningRate() { return (Double) values.get("learning_rate"); }
    public double lrDecay() { return (Double) values.get("lr_decay"); }
    public String lrSchedule() { return (String) values.get("lr_schedule"); }
    public long lrScheduleEnd() { return (Long) values.get("lr_schedule_end"); }
    public int lrDecayEvery() { return (Integer) values.get("lr_decay_every"); }
    public double gradClip() { return (Double) values.get("grad_clip"); }
    public double weightDecay() { return (Double) values.get("weight_decay"); }
    public long seed() { return (Long) values.get("seed"); }
    public long iterations() { return (Long) values.get("iterations"); }
    public long maxSeconds() { return (Long) values.get("max_seconds"); }
    public int evalEvery() { return (Integer) values.get("eval_every"); }
    public int evalChars() { return (Integer) values.get("eval_chars"); }
    public int checkpointSeconds() { return (Integer) values.get("checkpoint_seconds"); }
    public int patience() { return (Integer) values.get("patience"); }
    public String samplePrime() { return (String) values.get("sample_prime"); }
    public int sampleLength() { return (Integer) values.get("sample_length"); }
    public double sampleTemperature() { return (Double) values.get("sample_temperature"); }
    public String engine() { return (String) values.get("engine"); }
    public int threads() { return (Integer) values.get("threads"); }
    public int workers() { return (Integer) values.get("workers"); }

    /** Keys baked into the saved network configuration: a resumed run cannot change them. */
    static final List<String> BAKED_INTO_NETWORK = List.of("embedding_size", "hidden_size", "layers", "dropout",
            "learning_rate", "lr_decay", "lr_decay_every", "grad_clip", "weight_decay", "tbptt_length", "lr_schedule",
            "lr_schedule_end");

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainConfig c && c.values.equals(values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(values);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}

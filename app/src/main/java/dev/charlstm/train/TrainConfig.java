package dev.charlstm.train;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Every training hyperparameter, as typed values with checked ranges.
 *
 * <p>Values come from {@code config/train.yaml} (or built-in defaults of the same values), then
 * {@code --set key=value} overrides. An unknown key or an out-of-range value is an error that
 * names the key and what it accepts.
 *
 * <p>Each key is declared once, in a table that gives its name, default, range, help text and the
 * typed field it fills; {@link #asMap()} turns the fields back into the plain map that model files
 * and {@code metrics.json} store (choices spelled in lower case, as in the YAML). Instances are
 * immutable: every change returns a copy.
 *
 * <pre>{@code
 * TrainConfig c = TrainConfig.load(Path.of("config/train.yaml")).with("hidden_size", "128");
 * int h = c.hiddenSize();
 * boolean planned = c.plan() == TrainConfig.Plan.AUTO;
 * }</pre>
 */
public final class TrainConfig {

    /** The {@code plan} key: whether the planner chooses the network for the machine and budget. */
    public enum Plan {
        /** Plan the network, batch, dropout and validation interval, keeping every key the user set. */
        AUTO,
        /** Train the configuration as given. */
        OFF
    }

    /** The {@code lr_schedule} key: how the learning rate moves during a run. */
    public enum LrSchedule {
        /** The rate times {@code lr_decay} every {@code lr_decay_every} iterations. */
        CONSTANT,
        /** A 5% warm-up, then a cosine decay to a tenth of the rate at {@code lr_schedule_end}. */
        COSINE
    }

    /**
     * The {@code engine} key: what the user asked to compute the gradient with. {@link #AUTO}
     * leaves the choice to the backend; {@link TrainingEngine#choose} turns it into the engine
     * that runs.
     */
    public enum Engine { AUTO, BLAS, ND4J, DL4J }

    /** How a choice is spelled in YAML, on the command line and in stored maps. */
    static String keyOf(Enum<?> choice) {
        return choice.name().toLowerCase(Locale.ROOT);
    }

    /**
     * One configuration key: its name, default, range and help, how a raw value (YAML scalar or
     * command-line text) becomes its typed value, and which field holds it.
     *
     * @param parse  the raw value to the typed one, throwing the key's "must be" message
     * @param stored the typed value as {@link #asMap()} keeps it
     */
    private record Key<T>(String name, T defaultValue, String range, String help, Function<Object, T> parse,
                          Function<T, Object> stored, Function<TrainConfig, T> get, BiConsumer<TrainConfig, T> set) {

        void apply(TrainConfig target, Object raw) {
            set.accept(target, parse.apply(raw));
        }

        void copy(TrainConfig from, TrainConfig to) {
            set.accept(to, get.apply(from));
        }

        Object storedValue(TrainConfig c) {
            return stored.apply(get.apply(c));
        }

        Object storedDefault() {
            return stored.apply(defaultValue);
        }
    }

    private static IllegalArgumentException mustBe(String name, String range, Object value) {
        return new IllegalArgumentException("'" + name + "' must be " + range + ", got '" + value + "'");
    }

    private static Key<String> text(String name, String defaultValue, String help,
                                    Function<TrainConfig, String> get, BiConsumer<TrainConfig, String> set) {
        return new Key<>(name, defaultValue, "text", help, value -> {
            if (value == null || value instanceof Map || value instanceof List) {
                throw mustBe(name, "text", value);
            }
            return String.valueOf(value);
        }, v -> v, get, set);
    }

    private static Key<Boolean> flag(String name, boolean defaultValue, String help,
                                     Function<TrainConfig, Boolean> get, BiConsumer<TrainConfig, Boolean> set) {
        String range = "true or false";
        return new Key<>(name, defaultValue, range, help, value -> {
            String s = String.valueOf(value).toLowerCase(Locale.ROOT);
            if (value == null || !s.equals("true") && !s.equals("false")) {
                throw mustBe(name, range, value);
            }
            return Boolean.parseBoolean(s);
        }, v -> v, get, set);
    }

    /**
     * A choice among an enum's constants, spelled in lower case. Its range reads "text" in the
     * help, as it always has; a value that is not one of the choices names them.
     */
    private static <E extends Enum<E>> Key<E> choice(String name, Class<E> type, E defaultValue, String help,
                                                     Function<TrainConfig, E> get, BiConsumer<TrainConfig, E> set) {
        List<String> keys = Arrays.stream(type.getEnumConstants()).map(TrainConfig::keyOf).toList();
        String choices = String.join(", ", keys.subList(0, keys.size() - 1)) + " or " + keys.get(keys.size() - 1);
        return new Key<>(name, defaultValue, "text", help, value -> {
            if (type.isInstance(value)) {
                return type.cast(value);
            }
            if (value == null || value instanceof Map || value instanceof List) {
                throw mustBe(name, "text", value);
            }
            String s = String.valueOf(value);
            return Arrays.stream(type.getEnumConstants()).filter(c -> keyOf(c).equals(s)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("'" + name + "' must be " + choices + ", got '"
                            + s + "'"));
        }, TrainConfig::keyOf, get, set);
    }

    private static Key<Integer> count(String name, int defaultValue, double min, double max, String help,
                                      Function<TrainConfig, Integer> get, BiConsumer<TrainConfig, Integer> set) {
        String range = "an integer" + interval(min, max);
        return new Key<>(name, defaultValue, range, help, value -> (int) number(name, range, value, min, max, true),
                v -> v, get, set);
    }

    private static Key<Long> whole(String name, long defaultValue, double min, double max, String help,
                                   Function<TrainConfig, Long> get, BiConsumer<TrainConfig, Long> set) {
        String range = "an integer" + interval(min, max);
        return new Key<>(name, defaultValue, range, help, value -> (long) number(name, range, value, min, max, true),
                v -> v, get, set);
    }

    private static Key<Double> real(String name, double defaultValue, double min, double max, String help,
                                    Function<TrainConfig, Double> get, BiConsumer<TrainConfig, Double> set) {
        String range = "a number" + interval(min, max);
        return new Key<>(name, defaultValue, range, help, value -> number(name, range, value, min, max, false),
                v -> v, get, set);
    }

    private static double number(String name, String range, Object value, double min, double max, boolean integral) {
        if (value == null) {
            throw mustBe(name, range, null);
        }
        double number;
        try {
            number = value instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            throw mustBe(name, range, value);
        }
        if (Double.isNaN(number) || number < min || number > max || (integral && number != Math.rint(number))) {
            throw mustBe(name, range, value);
        }
        return number;
    }

    private static String interval(double min, double max) {
        return " in [" + fmt(min) + ", " + fmt(max) + "]";
    }

    private static String fmt(double v) {
        // Long.MAX_VALUE as a double is 2^63, which a long cannot hold: show the integer users
        // can actually type rather than 9.223372036854776E18.
        if (v >= 0x1p63) {
            return String.valueOf(Long.MAX_VALUE);
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static final List<Key<?>> KEYS = List.of(
            text("name", "faq", "model name: output goes to models/<name>/",
                    c -> c.name, (c, v) -> c.name = v),
            text("corpus", "default", "'default' (live FAQ, bundled snapshot offline), a file or a URL",
                    c -> c.corpus, (c, v) -> c.corpus = v),
            flag("strict", false, "fail on characters outside the vocabulary instead of dropping them",
                    c -> c.strict, (c, v) -> c.strict = v),
            real("validation_fraction", 0.1, 0.01, 0.5, "part of the text held out for validation, just before the test text",
                    c -> c.validationFraction, (c, v) -> c.validationFraction = v),
            real("test_fraction", 0.05, 0.0, 0.5, "tail of the text held out as test text: never trained on, never used "
                    + "to choose the model",
                    c -> c.testFraction, (c, v) -> c.testFraction = v),
            choice("plan", Plan.class, Plan.AUTO, "'auto': choose the network, batch, dropout and validation interval for this "
                    + "machine, text and budget, keeping every key given with --set or --config; 'off': train the "
                    + "configuration as given",
                    c -> c.plan, (c, v) -> c.plan = v),
            count("chunk_length", 200, 2, 100_000, "characters per random text portion",
                    c -> c.chunkLength, (c, v) -> c.chunkLength = v),
            count("batch_size", 64, 1, 4096, "text portions per iteration",
                    c -> c.batchSize, (c, v) -> c.batchSize = v),
            count("tbptt_length", 50, 1, 100_000, "truncated BPTT length; must divide chunk_length",
                    c -> c.tbpttLength, (c, v) -> c.tbpttLength = v),
            count("embedding_size", 64, 1, 4096, "character embedding width",
                    c -> c.embeddingSize, (c, v) -> c.embeddingSize = v),
            count("hidden_size", 384, 1, 8192, "LSTM units per layer",
                    c -> c.hiddenSize, (c, v) -> c.hiddenSize = v),
            count("layers", 2, 1, 8, "stacked LSTM layers",
                    c -> c.layers, (c, v) -> c.layers = v),
            real("dropout", 0.4, 0.0, 0.9, "dropout probability on the input of every layer after the first LSTM",
                    c -> c.dropout, (c, v) -> c.dropout = v),
            real("learning_rate", 0.005, 1e-6, 1.0, "Adam learning rate",
                    c -> c.learningRate, (c, v) -> c.learningRate = v),
            choice("lr_schedule", LrSchedule.class, LrSchedule.CONSTANT, "'constant': the rate times lr_decay every lr_decay_every "
                    + "iterations; 'cosine': a 5% warm-up, then a cosine decay to a tenth of the rate at "
                    + "lr_schedule_end",
                    c -> c.lrSchedule, (c, v) -> c.lrSchedule = v),
            whole("lr_schedule_end", 0L, 0, 100_000_000, "where the cosine schedule ends (0 = at "
                    + "'iterations'; a planned run sets it to the iterations it plans)",
                    c -> c.lrScheduleEnd, (c, v) -> c.lrScheduleEnd = v),
            real("lr_decay", 1.0, 0.01, 1.0, "learning rate factor applied every lr_decay_every iterations",
                    c -> c.lrDecay, (c, v) -> c.lrDecay = v),
            count("lr_decay_every", 100, 1, 1_000_000, "iterations between learning rate decays",
                    c -> c.lrDecayEvery, (c, v) -> c.lrDecayEvery = v),
            real("grad_clip", 5.0, 0.0, 1e6, "per-layer gradient L2 norm clip (0 = off)",
                    c -> c.gradClip, (c, v) -> c.gradClip = v),
            real("weight_decay", 0.0, 0.0, 1.0, "decoupled weight decay of the weight matrices, times the learning "
                    + "rate, after each Adam step (0 = off)",
                    c -> c.weightDecay, (c, v) -> c.weightDecay = v),
            whole("seed", 123L, 0, Long.MAX_VALUE, "seed for weights, chunks and sampling",
                    c -> c.seed, (c, v) -> c.seed = v),
            whole("iterations", 2000L, 1, 100_000_000, "stop after this many iterations",
                    c -> c.iterations, (c, v) -> c.iterations = v),
            whole("max_seconds", 300L, 1, 30L * 24 * 3600, "stop after this much wall time",
                    c -> c.maxSeconds, (c, v) -> c.maxSeconds = v),
            count("eval_every", 10, 1, 1_000_000, "iterations between validations",
                    c -> c.evalEvery, (c, v) -> c.evalEvery = v),
            count("eval_chars", 30_000, 0, 1_000_000_000, "characters of the validation text measured at each "
                    + "validation during the run, a fixed stretch at its start (0 = all of it); at the end the chosen "
                    + "model is measured on all of it, or as much as 5% of max_seconds reads",
                    c -> c.evalChars, (c, v) -> c.evalChars = v),
            count("checkpoint_seconds", 30, 0, 1_000_000, "least seconds between checkpoints at validations (0 = at "
                    + "every validation); a run always checkpoints when it stops",
                    c -> c.checkpointSeconds, (c, v) -> c.checkpointSeconds = v),
            count("patience", 6, 0, 1_000_000, "stop after this many validations without improvement (0 = never)",
                    c -> c.patience, (c, v) -> c.patience = v),
            text("sample_prime", "Th", "prime text of the sample logged at every checkpoint",
                    c -> c.samplePrime, (c, v) -> c.samplePrime = v),
            count("sample_length", 200, 0, 100_000, "characters of that sample",
                    c -> c.sampleLength, (c, v) -> c.sampleLength = v),
            real("sample_temperature", 0.8, 0.0, 10.0, "temperature of that sample",
                    c -> c.sampleTemperature, (c, v) -> c.sampleTemperature = v),
            choice("engine", Engine.class, Engine.AUTO, "'auto': 'blas' on the CPU, 'nd4j' elsewhere; 'blas': LSTM gradients in "
                    + "BLAS calls with batch rows on several threads; 'nd4j': the same gradient in ND4J operations, on any "
                    + "backend; 'dl4j': DL4J's own LSTM layer, only where chunk_length equals tbptt_length",
                    c -> c.engine, (c, v) -> c.engine = v),
            count("threads", 0, 0, 1024, "training threads: batch shards for 'blas', ND4J/OpenMP threads for 'dl4j' "
                    + "(0 = one per core, at most one per 16 batch rows, for 'blas'; 1 for 'dl4j')",
                    c -> c.threads, (c, v) -> c.threads = v),
            count("workers", 1, 1, 64, "batches per step, their gradients averaged (synchronous data parallelism)",
                    c -> c.workers, (c, v) -> c.workers = v));

    // A key written twice is almost always an edit that forgot the first one; last-wins would
    // silently train with whichever came later, so the parser refuses it.
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    // Set only while a copy is being built (defaults, withAll); never changed once returned.
    private String name;
    private String corpus;
    private boolean strict;
    private double validationFraction;
    private double testFraction;
    private Plan plan;
    private int chunkLength;
    private int batchSize;
    private int tbpttLength;
    private int embeddingSize;
    private int hiddenSize;
    private int layers;
    private double dropout;
    private double learningRate;
    private LrSchedule lrSchedule;
    private long lrScheduleEnd;
    private double lrDecay;
    private int lrDecayEvery;
    private double gradClip;
    private double weightDecay;
    private long seed;
    private long iterations;
    private long maxSeconds;
    private int evalEvery;
    private int evalChars;
    private int checkpointSeconds;
    private int patience;
    private String samplePrime;
    private int sampleLength;
    private double sampleTemperature;
    private Engine engine;
    private int threads;
    private int workers;

    private TrainConfig() {}

    /** The built-in defaults (the same values as the shipped {@code config/train.yaml}). */
    public static TrainConfig defaults() {
        TrainConfig c = new TrainConfig();
        KEYS.forEach(k -> k.apply(c, k.defaultValue()));
        return c.validated();
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
        map.forEach((k, v) -> changes.put(String.valueOf(k), v));
        return defaults().withAll(changes);
    }

    /** The keys a YAML configuration file sets (a planned run keeps them as given). */
    public static Set<String> keysIn(Path yaml) throws IOException {
        load(yaml); // the same errors as loading it
        Object parsed = YAML.readValue(yaml.toFile(), Object.class);
        Set<String> keys = new LinkedHashSet<>();
        if (parsed instanceof Map<?, ?> map) {
            map.keySet().forEach(k -> keys.add(String.valueOf(k)));
        }
        return keys;
    }

    /** Rebuilds a configuration stored in a model file (unknown keys from other versions are errors). */
    public static TrainConfig fromMap(Map<String, ?> stored) {
        return defaults().withAll(new LinkedHashMap<>(stored));
    }

    /**
     * A copy with one key changed; {@code value} may be a string from the command line.
     *
     * @throws IllegalArgumentException naming the key and the accepted range
     */
    public TrainConfig with(String name, Object value) {
        Map<String, Object> change = new LinkedHashMap<>();
        change.put(name, value);
        return withAll(change);
    }

    /** A copy with several keys changed at once; cross-key rules are checked on the result. */
    private TrainConfig withAll(Map<String, ?> changes) {
        TrainConfig copy = new TrainConfig();
        KEYS.forEach(k -> k.copy(this, copy));
        changes.forEach((name, value) -> key(name).apply(copy, value));
        return copy.validated();
    }

    private static Key<?> key(String name) {
        return KEYS.stream().filter(k -> k.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown config key '" + name + "' (known: "
                        + String.join(", ", KEYS.stream().map(Key::name).toList()) + ")"));
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

    private TrainConfig validated() {
        if (chunkLength % tbpttLength != 0) {
            throw new IllegalArgumentException("'tbptt_length' (" + tbpttLength + ") must divide 'chunk_length' ("
                    + chunkLength + ") so that every training segment has the same length");
        }
        if (validationFraction + testFraction > 0.6) {
            throw new IllegalArgumentException("'validation_fraction' + 'test_fraction' must be at most 0.6, got "
                    + (validationFraction + testFraction));
        }
        if (name.isBlank() || !name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
            throw new IllegalArgumentException("'name' must be letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        return this;
    }

    /**
     * All values, in declaration order, as plain text, booleans and numbers (choices in lower
     * case): what model files and metrics store, and what {@link #fromMap} reads back.
     */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        KEYS.forEach(k -> m.put(k.name(), k.storedValue(this)));
        return Collections.unmodifiableMap(m);
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
        for (Key<?> k : KEYS) {
            String text = k.help() + " (default " + k.storedDefault() + "; " + k.range() + ")";
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

    public String name() { return name; }
    public String corpus() { return corpus; }
    public boolean strict() { return strict; }
    public double validationFraction() { return validationFraction; }
    public double testFraction() { return testFraction; }
    public Plan plan() { return plan; }
    public int chunkLength() { return chunkLength; }
    public int batchSize() { return batchSize; }
    public int tbpttLength() { return tbpttLength; }
    public int embeddingSize() { return embeddingSize; }
    public int hiddenSize() { return hiddenSize; }
    public int layers() { return layers; }
    public double dropout() { return dropout; }
    public double learningRate() { return learningRate; }
    public double lrDecay() { return lrDecay; }
    public LrSchedule lrSchedule() { return lrSchedule; }

    public long lrScheduleEnd() { return lrScheduleEnd; }
    public int lrDecayEvery() { return lrDecayEvery; }
    public double gradClip() { return gradClip; }
    public double weightDecay() { return weightDecay; }
    public long seed() { return seed; }
    public long iterations() { return iterations; }
    public long maxSeconds() { return maxSeconds; }
    public int evalEvery() { return evalEvery; }
    public int evalChars() { return evalChars; }
    public int checkpointSeconds() { return checkpointSeconds; }
    public int patience() { return patience; }
    public String samplePrime() { return samplePrime; }
    public int sampleLength() { return sampleLength; }
    public double sampleTemperature() { return sampleTemperature; }
    public Engine engine() { return engine; }
    public int threads() { return threads; }
    public int workers() { return workers; }

    /** Keys baked into the saved network configuration: a resumed run cannot change them. */
    static final List<String> BAKED_INTO_NETWORK = List.of("embedding_size", "hidden_size", "layers", "dropout",
            "learning_rate", "lr_decay", "lr_decay_every", "grad_clip", "weight_decay", "tbptt_length", "lr_schedule",
            "lr_schedule_end");

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainConfig c && c.asMap().equals(asMap());
    }

    @Override
    public int hashCode() {
        return asMap().hashCode();
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}

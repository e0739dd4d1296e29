package dev.charlstm.generate;

import dev.charlstm.format.ModelMetadata;
import dev.charlstm.text.TextNormalizer;
import dev.charlstm.text.Vocabulary;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Generates text from a trained {@code model.zip}: the library entry point for JVM programs.
 *
 * <p>A generator is immutable after loading and safe to share between threads: the weights are
 * read-only and every call carries its own LSTM state, so concurrent calls never affect each
 * other and a fixed seed gives the same text whatever else runs.
 *
 * <pre>{@code
 * Generator generator = Generator.load(Path.of("models/faq/model.zip"));
 * Sample sample = generator.generate(GenerationOptions.builder().prime("Masks ").length(200).seed(7L).build()).get(0);
 * System.out.println(sample.fullText());
 * Score score = generator.score("Vaccines are available at the student health center.");
 * }</pre>
 */
public final class Generator {

    private final CharLstm network;
    private final Vocabulary vocabulary;
    private final TextNormalizer normalizer;
    private final ModelInfo info;

    private Generator(CharLstm network, Vocabulary vocabulary, ModelInfo info) {
        this.network = network;
        this.vocabulary = vocabulary;
        this.normalizer = TextNormalizer.forVocabulary(vocabulary);
        this.info = info;
    }

    /**
     * Loads a model file written by {@code charlstm train}.
     *
     * @throws InvalidModelException naming the file and what is wrong with it
     */
    public static Generator load(Path modelFile) throws InvalidModelException {
        Objects.requireNonNull(modelFile, "modelFile");
        String source = modelFile.toString();
        if (!Files.isRegularFile(modelFile)) {
            throw new InvalidModelException(source, Files.exists(modelFile) ? "not a regular file" : "no such file");
        }
        // A file can also be checked whole: its central directory, at the end, is missing when a
        // copy was cut short, even where the entries that sampling reads came through intact.
        try (ZipFile whole = new ZipFile(modelFile.toFile())) {
            whole.size();
        } catch (ZipException e) {
            throw new InvalidModelException(source, "not a readable zip file (truncated or corrupt: "
                    + e.getMessage() + ")");
        } catch (IOException e) {
            throw new InvalidModelException(source, "cannot be read: " + Objects.requireNonNullElse(e.getMessage(), e.toString()));
        }
        try (InputStream in = Files.newInputStream(modelFile)) {
            return load(in, source);
        } catch (InvalidModelException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidModelException(source, "cannot be read: " + Objects.requireNonNullElse(e.getMessage(), e.toString()));
        }
    }

    /**
     * Loads a model from a stream holding a {@code model.zip}, which it reads but does not close.
     * The stream is read once from its start up to the last entry sampling needs, each entry's
     * checksum checked; a stream cut off after those entries is not noticed. Errors call the model "model stream"; {@link #load(InputStream, String)} names it as you like.
     *
     * @throws InvalidModelException saying what is wrong with the model
     */
    public static Generator load(InputStream modelZip) throws InvalidModelException {
        return load(modelZip, "model stream");
    }

    /**
     * Loads a model from a stream holding a {@code model.zip}, which it reads but does not close.
     *
     * @param name what errors call the model (a file name, a URL)
     * @throws InvalidModelException naming the model and what is wrong with it
     */
    public static Generator load(InputStream modelZip, String name) throws InvalidModelException {
        Objects.requireNonNull(modelZip, "modelZip");
        Objects.requireNonNull(name, "name");
        return of(ModelReader.read(new NonClosing(modelZip), name));
    }

    /**
     * Loads a model shipped on the class path, for example inside an application's own jar:
     * {@code Generator.loadResource("/models/faq.zip")}. The name is absolute, as for
     * {@link Class#getResource}; the context class loader is asked first, then this library's.
     *
     * @throws InvalidModelException naming the resource and what is wrong with it (or that it is absent)
     */
    public static Generator loadResource(String name) throws InvalidModelException {
        Objects.requireNonNull(name, "name");
        String source = "classpath:" + name;
        if (!name.startsWith("/")) {
            throw new InvalidModelException(source, "a resource name must be absolute (start with '/')");
        }
        String path = name.substring(1);
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        InputStream in = context == null ? null : context.getResourceAsStream(path);
        if (in == null) {
            in = Generator.class.getClassLoader().getResourceAsStream(path);
        }
        if (in == null) {
            throw new InvalidModelException(source, "no such resource on the class path");
        }
        try (InputStream stream = in) {
            return load(stream, source);
        } catch (InvalidModelException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidModelException(source, "cannot be read: " + Objects.requireNonNullElse(e.getMessage(), e.toString()));
        }
    }

    private static Generator of(ModelReader.Model model) {
        ModelMetadata m = model.metadata();
        CharLstm network = CharLstm.from(model.weights());
        ModelMetadata.Training t = m.training();
        ModelInfo info = new ModelInfo(m.vocabulary(), network.layers(), network.hidden(),
                t == null ? null : t.valLossNats(), t == null ? null : t.trainedAt(),
                t == null ? null : t.corpusSha256());
        return new Generator(network, model.vocabulary(), info);
    }

    /** Keeps the caller's stream open: the zip reader closes only this wrapper. */
    private static final class NonClosing extends FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {}
    }

    public ModelInfo info() {
        return info;
    }

    /**
     * Generates {@code options.count()} samples.
     *
     * @throws IllegalArgumentException when the prime has a character the model cannot read even
     *     after folding (the message names it and its position)
     */
    public List<Sample> generate(GenerationOptions options) {
        return generate(options, (sample, text) -> { });
    }

    /**
     * Generates as {@link #generate(GenerationOptions)} does, handing text to {@code listener} as
     * soon as it is final (text that could still turn out to be the start of a stop string is
     * held back until it cannot).
     */
    public List<Sample> generate(GenerationOptions options, StreamListener listener) {
        Prepared prepared = prepare(options, listener);
        List<SampleStream> active = new ArrayList<>(prepared.streams());
        CharLstm.Scratch scratch = network.scratch(active.size());
        while (!active.isEmpty()) {
            step(active, scratch);
        }
        return prepared.samples();
    }

    /** A request made ready to generate: the prime read, one stream per sample. */
    record Prepared(String prime, List<SampleStream> streams) {
        List<Sample> samples() {
            return streams.stream().map(s -> s.sample(prime)).toList();
        }
    }

    /** Folds and reads the prime once, then gives every sample a copy of the primed state. */
    Prepared prepare(GenerationOptions options, StreamListener listener) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(listener, "listener");
        String prime = foldPrime(options.prime());
        CharLstm.State primed = network.newState();
        float[] primedLogits = new float[network.vocabulary()];
        CharLstm.Scratch scratch = network.scratch(1);
        for (int id : vocabulary.encode(prime)) {
            network.step(id, primed, primedLogits, scratch);
        }
        long seed = options.seed() != null ? options.seed() : ThreadLocalRandom.current().nextLong();
        List<SampleStream> streams = new ArrayList<>();
        for (int i = 0; i < options.count(); i++) {
            streams.add(new SampleStream(i, seed + i, primed.copy(), primedLogits.clone(), options, vocabulary,
                    listener));
        }
        return new Prepared(prime, streams);
    }

    /**
     * One character for every stream in {@code active}: each draws from its logits, then all that
     * continue advance together in one batched forward step. Wide batches are split across two
     * cores, drawing included; listeners still hear from the calling thread, in sample order.
     * Finished streams leave the list.
     */
    void step(List<SampleStream> active, CharLstm.Scratch scratch) {
        active.removeIf(SampleStream::done);
        int n = active.size();
        if (n >= CharLstm.PARALLEL_BATCH && scratch.otherHalf != null) {
            // Streams are independent, so the halves compute exactly what they would together.
            List<SampleStream> second = active.subList(n / 2, n);
            ForkJoinTask<?> other = ForkJoinPool.commonPool().submit(() -> advance(second, scratch.otherHalf));
            advance(active.subList(0, n / 2), scratch);
            other.join();
        } else {
            advance(active, scratch);
        }
        for (SampleStream s : active) {
            s.emitReady();
        }
        active.removeIf(SampleStream::done);
    }

    /** Draws the next character of each stream and feeds the ones that continue through the network. */
    private void advance(List<SampleStream> streams, CharLstm.Scratch scratch) {
        int n = 0;
        int[] ids = new int[streams.size()];
        CharLstm.State[] states = new CharLstm.State[streams.size()];
        float[][] logits = new float[streams.size()][];
        for (SampleStream s : streams) {
            int id = s.draw();
            if (id >= 0) {
                ids[n] = id;
                states[n] = s.state;
                logits[n++] = s.logits;
            }
        }
        if (n > 0) {
            network.step(n, ids, states, logits, scratch);
        }
    }

    /** Scratch space for batches of up to {@code batch} streams. */
    CharLstm.Scratch scratch(int batch) {
        return network.scratch(batch);
    }

    /** Scratch space that splits batches of {@link CharLstm#PARALLEL_BATCH} or more across two cores, or never. */
    CharLstm.Scratch scratch(int batch, boolean twoCores) {
        return network.scratch(batch, twoCores);
    }

    /**
     * The model's loss on a text, folded onto its vocabulary as the corpus was (characters it
     * cannot fold are dropped): each character predicted from everything before it.
     *
     * @throws IllegalArgumentException when fewer than two characters remain
     */
    public Score score(String text) {
        Objects.requireNonNull(text, "text");
        int[] ids = vocabulary.encode(normalizer.normalize(text).text());
        if (ids.length < 2) {
            throw new IllegalArgumentException("need at least 2 characters to score, got " + ids.length);
        }
        CharLstm.State state = network.newState();
        float[] logits = new float[network.vocabulary()];
        CharLstm.Scratch scratch = network.scratch(1);
        double total = 0;
        for (int i = 0; i + 1 < ids.length; i++) {
            network.step(ids[i], state, logits, scratch);
            total -= logSoftmax(logits, ids[i + 1]);
        }
        return new Score(ids.length - 1, total / (ids.length - 1));
    }

    /** Probabilities of the next character after {@code context}, indexed like {@link ModelInfo#vocabulary()}. */
    public double[] nextCharProbabilities(String context) {
        int[] ids = vocabulary.encode(foldPrime(context));
        CharLstm.State state = network.newState();
        float[] logits = new float[network.vocabulary()];
        CharLstm.Scratch scratch = network.scratch(1);
        for (int id : ids) {
            network.step(id, state, logits, scratch);
        }
        double[] probs = new double[logits.length];
        NextCharacter.softmax(logits, 1.0, probs);
        return probs;
    }

    /** Receives generated text as it becomes final. Called on the generating thread. */
    @FunctionalInterface
    public interface StreamListener {
        /** @param sample index of the sample in the batch */
        void onText(int sample, String text);
    }

    private String foldPrime(String prime) {
        if (prime.isEmpty()) {
            throw new IllegalArgumentException("prime must have at least one character");
        }
        // By code point, not by char: an emoji is two chars, and the error must name the emoji at
        // the position a user counts, not half a surrogate pair at a UTF-16 offset.
        int position = 0;
        for (int i = 0; i < prime.length(); i += Character.charCount(prime.codePointAt(i)), position++) {
            int cp = prime.codePointAt(i);
            boolean known = Character.isBmpCodePoint(cp) && vocabulary.contains((char) cp);
            if (!known && normalizer.normalize(new String(Character.toChars(cp))).text().isEmpty()) {
                throw new IllegalArgumentException("prime character " + describeCodePoint(cp) + " at position "
                        + position + " is not in the model's vocabulary and has no folding onto it");
            }
        }
        String folded = normalizer.normalize(prime).text();
        if (folded.isEmpty()) {
            throw new IllegalArgumentException("prime is empty after folding onto the model's vocabulary");
        }
        return folded;
    }

    /** {@code '😀' (U+1F600)}; a control character, space or lone surrogate by its number alone. */
    private static String describeCodePoint(int cp) {
        boolean printable = !Character.isISOControl(cp) && !Character.isWhitespace(cp)
                && Character.getType(cp) != Character.SURROGATE;
        return (printable ? "'" + new String(Character.toChars(cp)) + "' " : "") + String.format("(U+%04X)", cp);
    }

    private static double logSoftmax(float[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return logits[target] - max - Math.log(sum);
    }
}

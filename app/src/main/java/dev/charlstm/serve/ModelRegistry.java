package dev.charlstm.serve;

import dev.charlstm.generate.BatchScheduler;
import dev.charlstm.generate.Generator;
import dev.charlstm.generate.InvalidModelException;
import dev.charlstm.generate.ModelInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a service serves, by name, each with its own batch scheduler. Names come from the
 * file system once at start-up and requests only look them up, so a name in a request can never
 * reach a path.
 */
final class ModelRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

    /** One served model. */
    record Served(String name, Path file, Generator generator, BatchScheduler scheduler) {
        ModelInfo info() {
            return generator.info();
        }
    }

    private final Map<String, Served> models = new TreeMap<>();
    private final Map<String, String> unavailable = new TreeMap<>();

    /**
     * Loads {@code models/<name>/model.zip} for every subdirectory of {@code dir} that has one, and
     * every {@code <name>.zip} directly inside it.
     */
    static ModelRegistry fromDirectory(Path dir, ServiceLimits limits) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--models: " + dir + " is not a directory");
        }
        ModelRegistry registry = new ModelRegistry();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.sorted().toList()) {
                if (Files.isRegularFile(p.resolve("model.zip"))) {
                    registry.tryAdd(p.getFileName().toString(), p.resolve("model.zip"), limits);
                } else if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(".zip")) {
                    String file = p.getFileName().toString();
                    registry.tryAdd(file.substring(0, file.length() - 4), p, limits);
                }
            }
        }
        if (registry.models.isEmpty()) {
            if (!registry.unavailable.isEmpty()) {
                Map.Entry<String, String> first = registry.unavailable.entrySet().iterator().next();
                throw new IllegalArgumentException("--models: none of the " + registry.unavailable.size()
                        + " model(s) in " + escape(dir.toString()) + " could be loaded (" + escape(first.getKey())
                        + ": " + first.getValue() + ")");
            }
            throw new IllegalArgumentException("--models: no model.zip found in " + dir
                    + " (train one first: train --out " + dir.resolve("faq") + ")");
        }
        return registry;
    }

    /** Serves one file, named after its directory ({@code models/faq/model.zip} → {@code faq}). */
    static ModelRegistry single(Path file, ServiceLimits limits) throws IOException {
        ModelRegistry registry = new ModelRegistry();
        Path parent = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString().equals("model.zip") && parent != null
                ? parent.getFileName().toString() : file.getFileName().toString().replaceFirst("\\.zip$", "");
        registry.add(name, file, limits);
        return registry;
    }

    /**
     * Loads one model of a directory; one that cannot be loaded is reported and left out, so that
     * one bad file does not keep the good ones from being served.
     */
    private void tryAdd(String name, Path file, ServiceLimits limits) {
        try {
            add(name, file, limits);
        } catch (Exception | OutOfMemoryError e) {
            String reason = oneLine(e);
            unavailable.put(name, reason);
            log.warn("Model '{}' from {} is unavailable: {}", escape(name), escape(file.toString()), reason);
            log.debug("Loading {} failed", escape(file.toString()), e);
        }
    }

    private void add(String name, Path file, ServiceLimits limits) throws InvalidModelException {
        Generator generator = Generator.load(file);
        models.put(name, new Served(name, file, generator,
                new BatchScheduler(generator, limits.maxBatch(), limits.maxQueued())));
        log.info("Serving model '{}' from {} ({} LSTM layer(s) of {})", escape(name), escape(file.toString()),
                generator.info().layers(), generator.info().hiddenSize());
    }

    /** Models that were found but could not be loaded, by name, with the reason. */
    Map<String, String> unavailable() {
        return Collections.unmodifiableMap(unavailable);
    }

    /**
     * A name or path as one printable line for the log: a directory name may hold newlines (which
     * would forge log lines) or terminal escapes (which would rewrite a terminal), so control
     * characters are written as escapes.
     */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                            || Character.isSurrogate(c) && !validSurrogate(s, i)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        return escape(m.replaceAll("\\s*\\R\\s*", " ").trim());
    }

    /** The named model, or the only one when {@code name} is null; 404 otherwise. */
    Served get(String name) {
        if (name == null) {
            if (models.size() == 1) {
                return models.values().iterator().next();
            }
            throw ApiException.badRequest("'model' is required: this service has " + models.keySet());
        }
        Served served = models.get(name);
        if (served == null && unavailable.containsKey(name)) {
            throw new ApiException(404, "model_unavailable", "model '" + name + "' could not be loaded: "
                    + unavailable.get(name));
        }
        if (served == null) {
            throw new ApiException(404, "unknown_model", "unknown model '" + truncate(name) + "'; available: "
                    + models.keySet());
        }
        return served;
    }

    Collection<Served> all() {
        return models.values();
    }

    int activeStreams() {
        // The scheduler keeps the size of its last step when it goes idle; idle means none.
        return models.values().stream().mapToInt(m -> m.scheduler().pendingRequests() > 0
                ? m.scheduler().activeStreams() : 0).sum();
    }

    /** Lets admitted requests finish, up to {@code seconds}, then stops every scheduler. */
    boolean shutdown(long seconds) throws InterruptedException {
        boolean clean = true;
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        for (Served m : models.values()) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000_000L);
            clean &= m.scheduler().shutdown(left);
        }
        return clean;
    }

    @Override
    public void close() {
        models.values().forEach(m -> m.scheduler().close());
    }

    private static String truncate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}

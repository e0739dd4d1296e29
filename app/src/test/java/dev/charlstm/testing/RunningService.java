package dev.charlstm.testing;

import dev.charlstm.serve.SamplingService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A sampling service on 127.0.0.1 for the tests of one class: before the first test it writes the
 * tiny models into a fresh folder and starts the service on a free port; after the last it stops
 * the service and deletes the folder.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RunningService service = RunningService.withPeakyModels("faq/model.zip").token(TOKEN);
 * }</pre>
 *
 * <p>Register it on a {@code static} field: the service is shared by the class's tests and is
 * running before any {@code @BeforeAll} method of the class.
 */
public final class RunningService implements BeforeAllCallback, AfterAllCallback {

    /** Writes one model file (its folders exist). */
    @FunctionalInterface
    public interface ModelWriter {
        void write(Path file) throws Exception;
    }

    private final Map<String, ModelWriter> models = new LinkedHashMap<>();
    private final List<String> folders = new ArrayList<>();
    private String served = ".";
    private String token;
    private Path dir;
    private SamplingService service;

    private RunningService() {}

    /** A service of {@link TinyModels#savePeaky peaky} tiny models at these paths (relative to {@link #dir()}). */
    public static RunningService withPeakyModels(String... paths) {
        RunningService s = new RunningService();
        for (String p : paths) {
            s.model(p, TinyModels::savePeaky);
        }
        return s;
    }

    /** One more model file, written by {@code writer}. */
    public RunningService model(String path, ModelWriter writer) {
        models.put(path, writer);
        return this;
    }

    /** An empty folder (relative to {@link #dir()}), created before the service starts. */
    public RunningService folder(String path) {
        folders.add(path);
        return this;
    }

    /** Serves the models under this folder of {@link #dir()} rather than the whole of it. */
    public RunningService serving(String folder) {
        served = folder;
        return this;
    }

    /** The bearer token the service requires; none by default. */
    public RunningService token(String bearer) {
        token = bearer;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("charlstm-service");
        for (Map.Entry<String, ModelWriter> m : models.entrySet()) {
            Path file = dir.resolve(m.getKey());
            Files.createDirectories(file.getParent());
            m.getValue().write(file);
        }
        for (String f : folders) {
            Files.createDirectories(dir.resolve(f));
        }
        service = SamplingService.start(new SamplingService.Config(dir.resolve(served).normalize(), null,
                "127.0.0.1", 0, token));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (service != null) {
                service.stop(5);
            }
        } finally {
            deleteRecursively(dir);
        }
    }

    /** The folder the models were written to. */
    public Path dir() {
        return dir;
    }

    /** A model file written at {@code path}. */
    public Path model(String path) {
        return dir.resolve(path);
    }

    public SamplingService service() {
        return service;
    }

    public int port() {
        return service.port();
    }

    /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

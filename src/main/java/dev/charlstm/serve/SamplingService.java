package dev.charlstm.serve;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Sample;
import dev.charlstm.generate.Score;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP sampling service: JSON and server-sent-event generation, scoring, model listing,
 * health, metrics and a page to try it.
 *
 * <pre>{@code
 * SamplingService service = SamplingService.start(new SamplingService.Config(
 *         Path.of("models"), null, "127.0.0.1", 8080, System.getenv("CHARLSTM_TOKEN")));
 * // POST http://127.0.0.1:8080/v1/generate {"prime": "Masks", "length": 200, "stream": true}
 * service.stop(30);
 * }</pre>
 */
public final class SamplingService {

    private static final Logger log = LoggerFactory.getLogger(SamplingService.class);
    private static final ObjectMapper JSON = strictMapper();

    /** JSON as written: no numbers as strings, strings as numbers or fractions as integers. */
    private static ObjectMapper strictMapper() {
        ObjectMapper mapper = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS);
        var textual = mapper.coercionConfigFor(com.fasterxml.jackson.databind.type.LogicalType.Textual);
        for (var shape : new com.fasterxml.jackson.databind.cfg.CoercionInputShape[] {
                com.fasterxml.jackson.databind.cfg.CoercionInputShape.Integer,
                com.fasterxml.jackson.databind.cfg.CoercionInputShape.Float,
                com.fasterxml.jackson.databind.cfg.CoercionInputShape.Boolean}) {
            textual.setCoercion(shape, com.fasterxml.jackson.databind.cfg.CoercionAction.Fail);
        }
        return mapper;
    }

    /**
     * @param modelsDir serve every model under this directory (or null)
     * @param modelFile serve this one model file (when {@code modelsDir} is null)
     * @param token     bearer token every endpoint but health and the page requires; null for none
     */
    private static final String ERROR_WRITTEN = "charlstm.error";

    public record Config(Path modelsDir, Path modelFile, String host, int port, String token) {}

    private final ModelRegistry models;
    private final ServiceLimits limits;
    private final byte[] token;
    private final Javalin app;
    private final ServiceMetrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger openStreams = new AtomicInteger();
    private volatile boolean draining;

    private SamplingService(ModelRegistry models, ServiceLimits limits, String token) {
        this.models = models;
        this.limits = limits;
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.metrics = new ServiceMetrics(models::activeStreams, openStreams::get,
                () -> models.all().stream().mapToInt(m -> m.scheduler().pendingRequests()).sum());
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.http.maxRequestSize = limits.maxBodyBytes();
            c.http.prefer405over404 = true;
            c.jetty.modifyServer(server -> server.setStopTimeout(5_000));
        });
        app.get("/", this::page);
        app.get("/healthz", this::health);
        app.get("/metrics", api("metrics", this::metricsPage));
        app.get("/v1/models", api("models", this::listModels));
        app.post("/v1/generate", api("generate", ctx -> generate(ctx, false)));
        app.post("/v1/generate/stream", api("generate_stream", ctx -> generate(ctx, true)));
        app.post("/v1/score", api("score", this::score));
        OpenAiCompletions completions = new OpenAiCompletions(models, limits, metrics, openStreams, () -> draining);
        app.post("/v1/completions", api("completions", completions::handle));
        app.post("/v1/chat/completions", api("chat_completions", OpenAiCompletions::noChat));
        app.get("/v1/models/{id}", api("models", ctx -> ctx.json(OpenAiModels.entry(models.get(ctx.pathParam("id"))))));
        app.get("/openapi.json", OpenApiDocument::serve);
        app.error(404, ctx -> {
            if (ctx.attribute(ERROR_WRITTEN) == null) { // an unknown model is a 404 with its own message
                writeError(ctx, new ApiException(404, "not_found", "no endpoint " + ctx.method() + " " + ctx.path()));
            }
        });
        app.error(405, ctx -> writeError(ctx, new ApiException(405, "method_not_allowed",
                ctx.method() + " is not allowed on " + ctx.path())));
        app.exception(Exception.class, (e, ctx) -> {
            log.error("Unhandled error on {} {}", ctx.method(), ctx.path(), e);
            writeError(ctx, new ApiException(500, "internal", "internal error"));
        });
    }

    /** Loads the models and starts listening. */
    public static SamplingService start(Config config) throws IOException {
        return start(config, ServiceLimits.defaults());
    }

    static SamplingService start(Config config, ServiceLimits limits) throws IOException {
        ModelRegistry models = config.modelsDir() != null
                ? ModelRegistry.fromDirectory(config.modelsDir(), limits)
                : ModelRegistry.single(config.modelFile(), limits);
        SamplingService service = new SamplingService(models, limits, config.token());
        try {
            service.app.start(config.host(), config.port());
        } catch (RuntimeException e) {
            models.close();
            throw new IllegalArgumentException("cannot listen on " + config.host() + ":" + config.port() + ": "
                    + rootMessage(e));
        }
        log.info("Serving {} model(s) on http://{}:{}/{}", models.all().size(), config.host(), service.port(),
                service.token != null ? " (bearer token required)" : "");
        return service;
    }

    public int port() {
        return app.port();
    }

    /**
     * Graceful stop: refuses new work (503), lets requests in flight finish for up to
     * {@code seconds}, then closes the server.
     *
     * @return true when nothing had to be cut short
     */
    public boolean stop(long seconds) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        boolean clean = models.shutdown(seconds);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        clean &= inFlight.get() == 0;
        app.stop();
        models.close();
        log.info("Stopped{}", clean ? "" : " (some requests were cut short)");
        return clean;
    }

    // ---- endpoints -------------------------------------------------------------------------

    private void page(Context ctx) throws IOException {
        try (InputStream in = SamplingService.class.getResourceAsStream("index.html")) {
            ctx.contentType("text/html; charset=utf-8").result(in.readAllBytes());
        }
    }

    private void health(Context ctx) {
        ctx.status(draining ? 503 : 200).json(Map.of("status", draining ? "draining" : "ok",
                "models", models.all().size()));
    }

    private void metricsPage(Context ctx) throws IOException {
        ctx.contentType(ServiceMetrics.contentType());
        metrics.write(ctx.outputStream());
    }

    private void listModels(Context ctx) {
        ctx.json(OpenAiModels.list(models.all()));
    }

    private void score(Context ctx) throws IOException {
        JsonNode body = parse(ctx, JsonNode.class);
        if (!body.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!f.equals("model") && !f.equals("text")) {
                throw ApiException.badRequest("unknown field '" + f + "'");
            }
        });
        JsonNode text = body.get("text");
        JsonNode model = body.get("model");
        if (text == null || !text.isTextual()) {
            throw ApiException.badRequest("'text' must be a string");
        }
        if (model != null && !model.isTextual()) {
            throw ApiException.badRequest("'model' must be a string");
        }
        if (text.asText().length() > limits.maxScoreChars()) {
            throw ApiException.badRequest("'text' must be at most " + limits.maxScoreChars() + " characters");
        }
        ModelRegistry.Served served = models.get(model == null ? null : model.asText());
        Score s;
        try {
            s = served.generator().score(text.asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        ctx.json(Map.of("model", served.name(), "chars", s.chars(), "loss_nats", s.lossNats(),
                "bpc", s.bitsPerChar()));
    }

    private void generate(Context ctx, boolean alwaysStream) throws Exception {
        GenerateRequest request = parse(ctx, GenerateRequest.class);
        if (request == null) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        ModelRegistry.Served served = models.get(request.model());
        GenerationOptions options = request.toOptions(limits);
        boolean stream = alwaysStream || Boolean.TRUE.equals(request.stream());
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        long start = System.nanoTime();
        CompletableFuture<List<Sample>> result;
        try {
            result = served.scheduler().submit(options, stream
                    ? (i, text) -> events.add(Map.of("sample", i, "text", text)) : (i, text) -> { });
        } catch (RejectedExecutionException e) {
            throw new ApiException(draining ? 503 : 429, draining ? "shutting_down" : "busy",
                    "the service is " + (draining ? "shutting down" : "busy") + "; retry later", 1);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        if (stream) {
            streamEvents(ctx, served, options, result, events, start);
        } else {
            List<Sample> samples = result.get();
            metrics.generated(served.name(), samples.stream().mapToLong(s -> s.text().length()).sum());
            ctx.json(response(served, options, samples, start));
        }
    }

    /** Writes text events as the batch produces them, then a final "done" event with the whole response. */
    private void streamEvents(Context ctx, ModelRegistry.Served served, GenerationOptions options,
                              CompletableFuture<List<Sample>> result, BlockingQueue<Object> events, long start)
            throws Exception {
        Object end = new Object();
        result.whenComplete((samples, error) -> events.add(end));
        ctx.status(200).contentType("text/event-stream; charset=utf-8");
        ctx.header("Cache-Control", "no-cache");
        ctx.header("X-Accel-Buffering", "no");
        OutputStream out = ctx.outputStream();
        openStreams.incrementAndGet();
        long chars = 0;
        try {
            for (Object e = events.take(); e != end; e = events.take()) {
                chars += ((String) ((Map<?, ?>) e).get("text")).length();
                writeEvent(out, "text", e);
            }
            writeEvent(out, "done", response(served, options, result.get(), start));
        } catch (IOException clientGone) {
            result.cancel(false); // frees the batch slot at the next step
            log.debug("Client left a stream: {}", clientGone.toString());
        } finally {
            openStreams.decrementAndGet();
            metrics.generated(served.name(), chars);
        }
    }

    private static void writeEvent(OutputStream out, String event, Object data) throws IOException {
        out.write(("event: " + event + "\ndata: " + JSON.writeValueAsString(data) + "\n\n")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static Map<String, Object> response(ModelRegistry.Served served, GenerationOptions options,
                                                List<Sample> samples, long start) {
        double seconds = (System.nanoTime() - start) / 1e9;
        long chars = samples.stream().mapToLong(s -> s.text().length()).sum();
        Map<String, Object> used = new LinkedHashMap<>();
        used.put("prime", samples.isEmpty() ? options.prime() : samples.get(0).prime());
        used.put("length", options.length());
        used.put("temperature", options.temperature());
        used.put("top_k", options.topK());
        used.put("top_p", options.topP());
        used.put("seed", samples.isEmpty() ? options.seed() : samples.get(0).seed());
        used.put("count", options.count());
        used.put("stop", options.stop());
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", served.name());
        o.put("texts", samples.stream().map(Sample::text).toList());
        o.put("stopped_by", samples.stream().map(s -> s.stoppedBy() == null ? "length" : s.stoppedBy()).toList());
        o.put("options", used);
        o.put("timing", Map.of("seconds", Math.round(seconds * 1e4) / 1e4,
                "chars_per_sec", seconds > 0 ? Math.round(chars / seconds) : 0));
        return o;
    }

    // ---- plumbing --------------------------------------------------------------------------

    /** Wraps an API endpoint: token, draining, errors as JSON, metrics. */
    private Handler api(String endpoint, Handler handler) {
        return ctx -> {
            long start = System.nanoTime();
            inFlight.incrementAndGet();
            try {
                authorize(ctx);
                if (draining) {
                    throw new ApiException(503, "shutting_down", "the service is shutting down", 1);
                }
                handler.handle(ctx);
            } catch (ApiException e) {
                writeError(ctx, e);
            } catch (HttpResponseException e) {
                writeError(ctx, new ApiException(e.getStatus(), e.getStatus() == 413 ? "too_large" : "bad_request",
                        e.getStatus() == 413 ? "the request body exceeds " + limits.maxBodyBytes() + " bytes"
                                : e.getMessage()));
            } finally {
                inFlight.decrementAndGet();
                metrics.request(endpoint, ctx.statusCode(), (System.nanoTime() - start) / 1e9);
                if (ctx.statusCode() >= 400) {
                    metrics.error(endpoint, String.valueOf(ctx.statusCode()));
                }
            }
        };
    }

    private void authorize(Context ctx) {
        if (token == null) {
            return;
        }
        String header = ctx.header("Authorization");
        byte[] given = header != null && header.startsWith("Bearer ")
                ? header.substring(7).getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(given, token)) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "unauthorized", "a valid bearer token is required");
        }
    }

    private <T> T parse(Context ctx, Class<T> type) {
        byte[] body = ctx.bodyAsBytes();
        if (body.length == 0) {
            throw ApiException.badRequest("the body is empty; send a JSON object");
        }
        try {
            return JSON.readValue(body, type);
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.badRequest("unknown field '" + e.getPropertyName() + "'");
        } catch (MismatchedInputException e) {
            String field = e.getPath().isEmpty() ? null : e.getPath().get(e.getPath().size() - 1).getFieldName();
            throw ApiException.badRequest(field != null ? "field '" + field + "' has the wrong type"
                    : "the body must be a JSON object");
        } catch (com.fasterxml.jackson.core.exc.InputCoercionException e) {
            throw ApiException.badRequest("a number is out of range: " + e.getOriginalMessage());
        } catch (JacksonException e) {
            throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("unreadable body");
        }
    }

    private static void writeError(Context ctx, ApiException e) {
        ctx.attribute(ERROR_WRITTEN, true);
        if (e.retryAfterSeconds != null) {
            ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds));
        }
        ctx.status(e.status).json(OpenAiErrors.body(e));
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }
}

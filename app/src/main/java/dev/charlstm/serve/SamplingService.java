package dev.charlstm.serve;

import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.path;
import static io.javalin.apibuilder.ApiBuilder.post;

import dev.charlstm.generate.BatchScheduler;
import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.generate.Sample;
import dev.charlstm.generate.Score;
import dev.charlstm.io.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.security.RouteRole;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
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
 *
 * <p>No request holds a server thread while its text is generated: generation and scoring run
 * asynchronously and are answered when they finish, and event streams are written without
 * blocking. So the server's threads stay free for admission control (429) and {@code /healthz}
 * however many requests wait.
 */
public final class SamplingService {

    private static final Logger log = LoggerFactory.getLogger(SamplingService.class);
    private static final String ERROR_WRITTEN = "charlstm.error";
    private static final String EXCHANGE = "charlstm.exchange";

    /**
     * The API routes, each with its name in the metrics. Every one needs the token (when there is
     * one) and counts as an exchange; a costly one also counts against its client's cap.
     */
    private enum Api implements RouteRole {
        METRICS("metrics", false), MODELS("models", false), GENERATE("generate", true),
        GENERATE_STREAM("generate_stream", true), SCORE("score", true), COMPLETIONS("completions", false),
        CHAT_COMPLETIONS("chat_completions", false);

        final String metric;
        final boolean costly;

        Api(String metric, boolean costly) {
            this.metric = metric;
            this.costly = costly;
        }
    }

    /**
     * @param modelsDir serve every model under this directory (or null)
     * @param modelFile serve this one model file (when {@code modelsDir} is null)
     * @param host      address to bind: a name or address of this machine
     * @param port      port to bind, 0 for any free one
     * @param token     bearer token every endpoint but health and the page requires; null for none
     */
    public record Config(Path modelsDir, Path modelFile, String host, int port, String token) {}

    private final ModelRegistry models;
    private final ServiceLimits limits;
    private final byte[] token;
    private final Javalin app;
    private final QueuedThreadPool pool;
    private final ServiceMetrics metrics;
    private final ClientWatch clients = new ClientWatch();
    private final Set<Exchange> exchanges = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicInteger openAsync = new AtomicInteger();
    private final Semaphore scoring;
    private final ExecutorService scorer;
    private volatile boolean draining;

    private SamplingService(ModelRegistry models, ServiceLimits limits, String token) {
        this.models = models;
        this.limits = limits;
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.metrics = new ServiceMetrics(models::activeStreams, openStreams::get,
                () -> models.all().stream().mapToInt(m -> m.scheduler().pendingRequests()).sum());
        this.scoring = new Semaphore(limits.maxScoring());
        this.scorer = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
            Thread t = new Thread(r, "charlstm-score");
            t.setDaemon(true);
            return t;
        });
        this.pool = new QueuedThreadPool(limits.requestThreads(), Math.min(8, limits.requestThreads()), 60_000);
        pool.setName("charlstm-http");
        BodyMapper json = new BodyMapper(limits);
        OpenAiCompletions completions = new OpenAiCompletions(models, limits, metrics, pool, () -> draining);
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.http.maxRequestSize = limits.maxBodyBytes();
            c.http.prefer405over404 = true;
            c.http.asyncTimeout = 0; // generation ends by itself, by cancellation or at the drain deadline
            c.jetty.threadPool = pool;
            c.jsonMapper(json);
            c.router.apiBuilder(() -> {
                get("/", this::page);
                get("/healthz", this::health);
                get("/openapi.json", OpenApiDocument::serve);
                get("/metrics", this::metricsPage, Api.METRICS);
                path("/v1", () -> {
                    get("models", this::listModels, Api.MODELS);
                    get("models/{id}", ctx -> ctx.json(OpenAiModels.entry(models.get(ctx.pathParam("id")))), Api.MODELS);
                    post("generate", async((ctx, ex) -> generate(ctx, ex, false)), Api.GENERATE);
                    post("generate/stream", async((ctx, ex) -> generate(ctx, ex, true)), Api.GENERATE_STREAM);
                    post("score", async(this::score), Api.SCORE);
                    post("completions", async(completions::handle), Api.COMPLETIONS);
                    post("chat/completions", OpenAiCompletions::noChat, Api.CHAT_COMPLETIONS);
                });
            });
        });
        app.beforeMatched(ctx -> admit(ctx, json));
        app.after(ctx -> {
            Exchange ex = ctx.attribute(EXCHANGE);
            if (ex != null && !ex.async) {
                ex.finishedInline(); // answered on the request's thread, errors included
            }
        });
        app.exception(ApiException.class, (e, ctx) -> refuse(ctx, e));
        app.exception(HttpResponseException.class, (e, ctx) -> { // Javalin's own: no route, or a bad request
            if (ctx.attribute(EXCHANGE) == null) {
                ctx.status(e.getStatus()); // no route matched: the 404 and 405 pages below answer
            } else {
                refuse(ctx, new ApiException(e.getStatus(), "bad_request", e.getMessage()));
            }
        });
        app.exception(Exception.class, (e, ctx) -> {
            log.error("Unhandled error on {} {}", ctx.method(), ModelRegistry.escape(ctx.path()), e);
            refuse(ctx, new ApiException(500, "internal", "internal error"));
        });
        app.error(404, ctx -> {
            if (ctx.attribute(ERROR_WRITTEN) == null) { // an unknown model is a 404 with its own message
                writeError(ctx, new ApiException(404, "not_found", "no endpoint " + ctx.method() + " " + ctx.path()));
            }
        });
        app.error(405, ctx -> writeError(ctx, new ApiException(405, "method_not_allowed",
                ctx.method() + " is not allowed on " + ctx.path())));
    }

    /** Loads the models and starts listening. */
    public static SamplingService start(Config config) throws IOException {
        return start(config, ServiceLimits.defaults());
    }

    /**
     * Loads the models and starts listening, letting one remote address have at most
     * {@code maxPerClient} requests in progress (behind a proxy, all clients share its address).
     */
    public static SamplingService start(Config config, int maxPerClient) throws IOException {
        if (maxPerClient < 1) {
            throw new IllegalArgumentException("--max-per-client must be >= 1, got " + maxPerClient);
        }
        ServiceLimits d = ServiceLimits.defaults();
        return start(config, d.withAdmission(d.maxBatch(), d.maxQueued(), maxPerClient));
    }

    static SamplingService start(Config config, ServiceLimits limits) throws IOException {
        checkHost(config.host()); // before loading models, which takes a while
        ModelRegistry models = config.modelsDir() != null
                ? ModelRegistry.fromDirectory(config.modelsDir(), limits)
                : ModelRegistry.single(config.modelFile(), limits);
        SamplingService service = new SamplingService(models, limits, config.token());
        try {
            service.app.start(config.host(), config.port());
        } catch (Exception e) { // Javalin rethrows Jetty's checked exceptions undeclared
            service.clients.close();
            service.scorer.shutdownNow();
            models.close();
            throw new IllegalArgumentException("cannot listen on " + config.host() + ":" + config.port() + ": "
                    + bindFailure(e));
        }
        for (var connector : service.app.jettyServer().server().getConnectors()) {
            if (connector instanceof ServerConnector c) {
                c.setIdleTimeout(limits.idleTimeoutMs());
            }
        }
        // Set only now: a stop timeout on a server that failed to start hides the bind error behind
        // an IllegalStateException from stopping it.
        service.app.jettyServer().server().setStopTimeout(5_000);
        log.info("Serving {} model(s) on http://{}:{}/{}", models.all().size(), config.host(), service.port(),
                service.token != null ? " (bearer token required)" : "");
        models.unavailable().forEach((name, reason) -> log.warn("Not serving model '{}': {}",
                ModelRegistry.escape(name), reason));
        return service;
    }

    /** Refuses a host that does not resolve, or that names no address of this machine. */
    private static void checkHost(String host) {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot listen on " + host + ": the name does not resolve");
        }
        try {
            if (!address.isAnyLocalAddress() && !address.isLoopbackAddress()
                    && NetworkInterface.getByInetAddress(address) == null) {
                throw new IllegalArgumentException("cannot listen on " + host + " (" + address.getHostAddress()
                        + "): not an address of this machine");
            }
        } catch (SocketException e) {
            throw new IllegalArgumentException("cannot listen on " + host + ": " + e.getMessage());
        }
    }

    private static String bindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
                return m.contains("in use") ? "address already in use"
                        : m.contains("permission") ? "permission denied (ports below 1024 need privileges)"
                        : m.contains("assign") ? "cannot assign the address (not an address of this machine)"
                        : BodyMapper.rootMessage(t);
            }
        }
        return BodyMapper.rootMessage(e);
    }

    public int port() {
        return app.port();
    }

    /**
     * Graceful stop: refuses new work (503), lets requests in flight finish for up to
     * {@code seconds}, then ends the rest: each event stream with an {@code error} event, each
     * plain request with a 503. Then it closes the server.
     *
     * @return true when nothing had to be cut short
     */
    public boolean stop(long seconds) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!exchanges.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        boolean clean = exchanges.isEmpty();
        if (!clean) {
            log.warn("{} request(s) still running after {} s of draining; ending them", exchanges.size(), seconds);
            ApiException late = new ApiException(503, "shutting_down",
                    "the service stopped before this request finished; retry it", 1);
            exchanges.forEach(ex -> ex.abort(late));
        }
        // Let the last answers reach their clients before the connections close. Clients that read
        // nothing get no last event; closing the server closes their connections.
        long written = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while ((!exchanges.isEmpty() || openAsync.get() > 0) && System.nanoTime() < written) {
            Thread.sleep(10);
        }
        clients.close();
        scorer.shutdownNow();
        try {
            app.stop();
        } catch (RuntimeException e) {
            log.warn("Closing the HTTP server: {}", BodyMapper.rootMessage(e));
        }
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
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("status", draining ? "draining" : "ok");
        o.put("models", models.all().size());
        o.put("unavailable", models.unavailable().size());
        ctx.status(draining ? 503 : 200).json(o);
    }

    private void metricsPage(Context ctx) throws IOException {
        ctx.contentType(ServiceMetrics.contentType());
        metrics.write(ctx.outputStream());
    }

    private void listModels(Context ctx) {
        Map<String, Object> list = new LinkedHashMap<>(OpenAiModels.list(models.all()));
        list.put("unavailable", models.unavailable().entrySet().stream()
                .map(e -> Map.<String, Object>of("name", e.getKey(), "reason", e.getValue())).toList());
        ctx.json(list);
    }

    private void score(Context ctx, Exchange ex) {
        ScoreRequest request = ctx.bodyStreamAsClass(ScoreRequest.class);
        String text = request.checkedText(limits);
        ModelRegistry.Served served = models.get(request.modelName());
        if (!scoring.tryAcquire()) {
            throw busy();
        }
        ex.plain(() -> { }); // a score cannot stop half-way; one whose client left is skipped if not yet begun
        clients.watch(ex, ctx.req(), () -> ex.clientGone(null));
        try {
            scorer.execute(() -> {
                try {
                    if (ex.isFinished()) {
                        return;
                    }
                    Score s = served.generator().score(text);
                    ex.respond(200, Map.of("model", served.name(), "chars", s.chars(), "loss_nats", s.lossNats(),
                            "bpc", s.bitsPerChar()));
                } catch (IllegalArgumentException e) {
                    ex.fail(ApiException.badRequest(e.getMessage()));
                } catch (RuntimeException e) {
                    log.error("Scoring failed", e);
                    ex.fail(new ApiException(500, "internal", "internal error"));
                } finally {
                    scoring.release();
                }
            });
        } catch (RejectedExecutionException e) {
            scoring.release();
            ex.fail(shuttingDown());
        }
    }

    private void generate(Context ctx, Exchange ex, boolean alwaysStream) {
        GenerateRequest request = ctx.bodyStreamAsClass(GenerateRequest.class);
        ModelRegistry.Served served = models.get(request.model());
        GenerationOptions options = request.toOptions(limits);
        boolean stream = alwaysStream || Boolean.TRUE.equals(request.stream());
        if (stream) {
            AtomicLong chars = new AtomicLong();
            EventStream events = new EventStream(pool, ex::clientGone, true);
            CompletableFuture<List<Sample>> result = submit(served, options, (i, text) -> {
                chars.addAndGet(text.length());
                events.send("text", () -> Map.of("sample", i, "text", text));
            });
            ex.stream(events, () -> BatchScheduler.cancel(result), () -> metrics.generated(served.name(), chars.get()));
            result.whenComplete((samples, error) -> {
                if (error == null) {
                    events.end("done", () -> response(served, options, samples, ex.start));
                } else if (!events.isEnding()) {
                    ApiException e = failure(error);
                    events.end("error", () -> errorBody(e));
                }
            });
            eventStreamHeaders(ctx);
        } else {
            CompletableFuture<List<Sample>> result = submit(served, options, (i, text) -> { });
            ex.plain(() -> BatchScheduler.cancel(result));
            clients.watch(ex, ctx.req(), () -> ex.clientGone(null));
            result.whenComplete((samples, error) -> {
                if (error == null) {
                    metrics.generated(served.name(), samples.stream().mapToLong(x -> x.text().length()).sum());
                    ex.respond(200, response(served, options, samples, ex.start));
                } else {
                    ex.fail(failure(error));
                }
            });
        }
    }

    private CompletableFuture<List<Sample>> submit(ModelRegistry.Served served, GenerationOptions options,
                                                   Generator.StreamListener listener) {
        try {
            return served.scheduler().submit(options, listener);
        } catch (RejectedExecutionException e) {
            throw draining ? shuttingDown() : busy();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** What to tell a client whose generation ended without its text. */
    private ApiException failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (draining || cause instanceof InterruptedException) {
            return shuttingDown();
        }
        if (cause instanceof CancellationException) {
            return new ApiException(499, "client_closed", "the request was cancelled");
        }
        log.warn("Generation failed: {}", cause.toString());
        return new ApiException(500, "internal", "generation failed");
    }

    private static ApiException busy() {
        return new ApiException(429, "busy", "the service is busy; retry later", 1);
    }

    private static ApiException shuttingDown() {
        return new ApiException(503, "shutting_down", "the service is shutting down; retry later", 1);
    }

    /** One error shape for every route, OpenAI's: {@code {"error": {"message", "type", "param", "code"}}}. */
    private static Map<String, Object> errorBody(ApiException e) {
        return OpenAiErrors.body(e);
    }

    private static Map<String, Object> response(ModelRegistry.Served served, GenerationOptions options,
                                                List<Sample> samples, long start) {
        return SampleJson.forService(served.name(), samples, options, (System.nanoTime() - start) / 1e9);
    }

    /** The status and headers of a server-sent-event answer. */
    static void eventStreamHeaders(Context ctx) {
        ctx.status(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.header("Cache-Control", "no-cache");
        ctx.header("X-Accel-Buffering", "no"); // nginx: pass each event on, do not buffer the stream
    }

    // ---- plumbing --------------------------------------------------------------------------

    /** An endpoint's work: answer at once, or hand the exchange to asynchronous work. */
    private interface Endpoint {
        void handle(Context ctx, Exchange ex) throws Exception;
    }

    /**
     * Before an API route's handler: counts the exchange, then checks the token, draining, the
     * content type and declared length of a body, and the per-client cap.
     */
    private void admit(Context ctx, BodyMapper json) {
        Api api = ctx.routeRoles().stream().filter(Api.class::isInstance).map(Api.class::cast).findFirst().orElse(null);
        if (api == null) {
            return; // the page, health and the OpenAPI document are open
        }
        Exchange ex = new Exchange(ctx, api.metric);
        exchanges.add(ex);
        ctx.attribute(EXCHANGE, ex);
        authorize(ctx);
        if (draining) {
            throw new ApiException(503, "shutting_down", "the service is shutting down", 1);
        }
        if (ctx.method() == HandlerType.POST) {
            requireJson(ctx);
            json.checkDeclaredLength(ctx.req().getContentLengthLong());
        }
        if (api.costly) {
            ex.admitClient(ctx.ip());
        }
    }

    /**
     * Wraps an endpoint that may answer later: once it has handed its exchange to asynchronous
     * work, the request waits for that work without holding the thread.
     */
    private Handler async(Endpoint endpoint) {
        return ctx -> {
            Exchange ex = ctx.attribute(EXCHANGE);
            endpoint.handle(ctx, ex);
            if (ex.async) {
                openAsync.incrementAndGet();
                ctx.future(() -> {
                    ctx.req().getAsyncContext().addListener(ex);
                    EventStream writer = ex.events != null ? ex.events : ex.body;
                    try {
                        writer.open(ctx.res().getOutputStream());
                    } catch (IOException e) {
                        ex.clientGone(e);
                    }
                    return ex.completed;
                });
            }
        };
    }

    /** A refused request: answered through its exchange when it has one, so that it is counted. */
    private static void refuse(Context ctx, ApiException e) {
        Exchange ex = ctx.attribute(EXCHANGE);
        if (ex != null) {
            ex.fail(e);
        } else {
            writeError(ctx, e);
        }
    }

    /**
     * One API request in flight, from its arrival to its answer. The first answer wins: a
     * result, an error, the client's departure, or the end of the drain at shutdown.
     */
    final class Exchange implements AsyncListener {
        final Context ctx;
        final String endpoint;
        final long start = System.nanoTime();
        final CompletableFuture<Void> completed = new CompletableFuture<>();
        volatile boolean async;
        EventStream events;           // an event stream's writer
        EventStream body;             // a plain asynchronous answer's writer
        private Runnable cancelWork = () -> { };
        private Runnable onRelease = () -> { };
        private String client;
        private boolean finished;     // guarded by this: the answer is decided
        private boolean released;     // guarded by this

        Exchange(Context ctx, String endpoint) {
            this.ctx = ctx;
            this.endpoint = endpoint;
        }

        /** Counts the request against its client's cap. */
        void admitClient(String address) {
            AtomicInteger n = perClient.computeIfAbsent(address, a -> new AtomicInteger());
            if (n.incrementAndGet() > limits.maxPerClient()) {
                n.decrementAndGet();
                throw new ApiException(429, "too_many_requests", "this client already has " + limits.maxPerClient()
                        + " requests in progress; retry later", 1);
            }
            client = address;
        }

        /**
         * A plain request whose answer comes later; {@code cancel} stops its work. The answer is
         * written without blocking too: a client that does not read a large answer must not hold
         * one of the server's threads.
         */
        void plain(Runnable cancel) {
            cancelWork = cancel;
            body = new EventStream(pool, this::clientGone, false);
            body.finished().thenRun(() -> completed.complete(null));
            async = true;
        }

        /**
         * An event stream; {@code cancel} stops its work, {@code release} runs once when the
         * stream is over, however it ends.
         */
        void stream(EventStream stream, Runnable cancel, Runnable release) {
            events = stream;
            cancelWork = cancel;
            onRelease = release;
            async = true;
            openStreams.incrementAndGet();
            stream.finished().thenRun(() -> {
                release(200, null);
                completed.complete(null);
            });
        }

        synchronized boolean isFinished() {
            return finished;
        }

        void respond(int status, Object body) {
            answer(status, body, null);
        }

        void fail(ApiException e) {
            if (events != null && events.end("error", () -> errorBody(e))) {
                cancelWork.run(); // the stream ends with the error event and is released once it is written
                return;
            }
            answer(e.status, null, e);
        }

        /** The client hung up: stop its work; there is nobody to answer. */
        void clientGone(Throwable why) {
            cancelWork.run();
            if (events != null) {
                log.debug("Client left a stream: {}", why == null ? "closed" : why.toString());
                release(200, "499");
                completed.complete(null);
            } else {
                log.debug("Client left before its answer");
                answer(499, null, null);
            }
        }

        /** Ends the request at the drain deadline. */
        void abort(ApiException e) {
            if (events != null) {
                if (events.end("error", () -> errorBody(e))) {
                    cancelWork.run();
                }
            } else {
                boolean first = answer(e.status, null, e);
                if (first) {
                    cancelWork.run();
                }
            }
        }

        private boolean answer(int status, Object body, ApiException error) {
            synchronized (this) {
                if (finished) {
                    return false;
                }
                clients.unwatch(this); // from here on only Jetty reads the connection
                if (this.body != null) {
                    // Asynchronous: status and headers now, the bytes through the non-blocking writer.
                    ctx.status(status);
                    if (error != null && error.retryAfterSeconds != null) {
                        ctx.header("Retry-After", String.valueOf(error.retryAfterSeconds));
                    }
                    Object json = error != null ? errorBody(error) : body;
                    if (json != null) {
                        ctx.res().setContentType("application/json");
                        this.body.endWith(Json.write(json).getBytes(StandardCharsets.UTF_8));
                    } else {
                        this.body.endWith(new byte[0]);
                    }
                } else if (error != null) {
                    // The answer is set before it is marked decided: the request's own thread may
                    // be about to let Javalin write it.
                    writeError(ctx, error);
                } else if (body != null) {
                    ctx.status(status).json(body);
                } else {
                    ctx.status(status);
                }
                finished = true;
            }
            release(status, status >= 400 ? String.valueOf(status) : null);
            return true;
        }

        /** An answer given while the handler ran: Javalin writes it on the request's thread. */
        void finishedInline() {
            int status = ctx.statusCode();
            release(status, status >= 400 ? String.valueOf(status) : null);
        }

        private void release(int status, String errorCode) {
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
                finished = true;
            }
            exchanges.remove(this);
            if (client != null) {
                perClient.computeIfPresent(client, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
            }
            if (events != null) {
                openStreams.decrementAndGet();
            }
            onRelease.run();
            metrics.request(endpoint, status, (System.nanoTime() - start) / 1e9);
            if (errorCode != null) {
                metrics.error(endpoint, errorCode);
            }
        }

        // AsyncListener: the servlet container's view of the asynchronous request.

        @Override
        public void onComplete(AsyncEvent event) {
            openAsync.decrementAndGet();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            clientGone(event.getThrowable());
        }

        @Override
        public void onError(AsyncEvent event) {
            // e.g. the connection's idle timeout while a response waits: counted, and the work cancelled
            clientGone(event.getThrowable());
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
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

    /**
     * Bodies must be declared JSON: a browser sends a cross-site form (text/plain, form-urlencoded,
     * multipart) without asking the service first, but not application/json.
     */
    private static void requireJson(Context ctx) {
        String type = ctx.req().getContentType();
        if (type == null || type.isBlank()) {
            throw new ApiException(415, "unsupported_media_type", "send the body with Content-Type: application/json");
        }
        String[] parts = type.split(";");
        if (!parts[0].trim().equalsIgnoreCase("application/json")) {
            throw new ApiException(415, "unsupported_media_type", "the body must be application/json, not '"
                    + BodyMapper.truncate(parts[0].trim()) + "'");
        }
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].trim().split("=", 2);
            if (kv[0].trim().equalsIgnoreCase("charset") && (kv.length < 2
                    || !kv[1].trim().replace("\"", "").equalsIgnoreCase("utf-8"))) {
                throw new ApiException(415, "unsupported_media_type", "the body must be UTF-8, not '"
                        + BodyMapper.truncate(parts[i].trim()) + "'");
            }
        }
    }

    private static void writeError(Context ctx, ApiException e) {
        ctx.attribute(ERROR_WRITTEN, true);
        if (e.status == 413) {
            ctx.header("Connection", "close"); // the rest of the body is not read
        }
        if (e.retryAfterSeconds != null) {
            ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds));
        }
        ctx.status(e.status).json(OpenAiErrors.body(e));
    }
}

package dev.charlstm.serve;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.charlstm.generate.BatchScheduler;
import dev.charlstm.generate.CharLogProbs;
import dev.charlstm.generate.Generator;
import dev.charlstm.generate.LogProbListener;
import dev.charlstm.generate.Sample;
import dev.charlstm.io.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/completions}: OpenAI's legacy completions API, one token per character. Each
 * prompt goes to the model's shared {@link BatchScheduler}, exactly as a {@code /v1/generate}
 * request would, so a seeded request gives the same text through either API. A stream is written
 * by an {@link EventStream}, as {@code /v1/generate}'s are, so it holds no server thread.
 */
final class OpenAiCompletions {

    private static final Logger log = LoggerFactory.getLogger(OpenAiCompletions.class);
    private final ModelRegistry models;
    private final ServiceLimits limits;
    private final ServiceMetrics metrics;
    private final Executor writer;
    private final BooleanSupplier draining;

    /**
     * @param writer   runs the event streams' writes
     * @param draining whether the service is stopping, to tell a refusal for busy from one for stopping
     */
    OpenAiCompletions(ModelRegistry models, ServiceLimits limits, ServiceMetrics metrics, Executor writer,
                      BooleanSupplier draining) {
        this.models = models;
        this.limits = limits;
        this.metrics = metrics;
        this.writer = writer;
        this.draining = draining;
    }

    /** A character model has no chat format: say so in OpenAI's words, and where to go instead. */
    static void noChat(Context ctx) {
        throw new ApiException(404, "unsupported_endpoint", "charlstm serves character-level models, which have no"
                + " chat format: use POST /v1/completions with a text 'prompt' to continue", null, null);
    }

    /**
     * Answers one completion request. A stream is handed to {@code ex} and written by an
     * {@link EventStream} while the request's thread goes back to the pool; a plain answer is
     * still awaited on the request's thread.
     */
    void handle(Context ctx, SamplingService.Exchange ex) throws Exception {
        OpenAiCompletionRequest request = OpenAiCompletionRequest.from(parse(ctx.bodyAsBytes()), limits);
        ModelRegistry.Served served;
        try {
            served = models.get(request.model());
        } catch (ApiException e) {
            throw new ApiException(e.status, e.code, e.getMessage(), null, "model");
        }
        OpenAiCompletion completion = new OpenAiCompletion("cmpl-" + UUID.randomUUID().toString().replace("-", ""),
                System.currentTimeMillis() / 1000, served, request);
        if (request.stream()) {
            EventStream events = new EventStream(writer, ex::clientGone, true, EventStream.Style.OPENAI);
            OpenAiEventStream stream = new OpenAiEventStream(completion, events);
            List<CompletableFuture<List<Sample>>> results = submit(served, request, stream::delta);
            ex.stream(events, () -> results.forEach(BatchScheduler::cancel),
                    () -> metrics.generated(served.name(), completion.generatedChars()));
            stream.follow(results);
            SamplingService.eventStreamHeaders(ctx);
            return;
        }
        BlockingQueue<Delta> events = new LinkedBlockingQueue<>();
        List<CompletableFuture<List<Sample>>> results = submit(served, request, events::add);
        List<List<Sample>> samples = new ArrayList<>();
        for (CompletableFuture<List<Sample>> r : results) {
            samples.add(await(r));
        }
        // Log-probabilities reach the listener on the scheduler's thread before each future completes.
        for (Delta d : events) {
            completion.logProbs(d.choice()).addAll(d.logProbs());
        }
        Map<String, Object> body = completion.response(samples);
        metrics.generated(served.name(), completion.generatedChars());
        ctx.json(body);
    }

    /** Text (and log-probabilities) for one choice, as the scheduler hands it over. */
    record Delta(int choice, String text, List<CharLogProbs> logProbs) {}

    /** One scheduler request per prompt; if a later prompt is refused, the earlier ones are cancelled. */
    private List<CompletableFuture<List<Sample>>> submit(ModelRegistry.Served served, OpenAiCompletionRequest request,
                                                         Consumer<Delta> events) {
        List<CompletableFuture<List<Sample>>> results = new ArrayList<>();
        try {
            for (int p = 0; p < request.prompts().size(); p++) {
                results.add(served.scheduler().submit(request.optionsFor(request.prompts().get(p)),
                        listener(request, p * request.n(), events)));
            }
        } catch (RuntimeException e) {
            results.forEach(r -> r.cancel(false));
            if (e instanceof RejectedExecutionException) {
                boolean stopping = draining.getAsBoolean();
                throw new ApiException(stopping ? 503 : 429, stopping ? "shutting_down" : "busy",
                        "the service is " + (stopping ? "shutting down" : "busy") + "; retry later", 1);
            }
            if (e instanceof IllegalArgumentException) {
                throw ApiException.badParam("prompt", e.getMessage());
            }
            throw e;
        }
        return results;
    }

    /** Queues what the scheduler produces; only what a stream or log-probabilities need is kept. */
    private static Generator.StreamListener listener(OpenAiCompletionRequest request, int firstChoice,
                                                     Consumer<Delta> events) {
        if (request.logprobs() != null) {
            return new LogProbListener() {
                @Override
                public int topLogProbs() {
                    return request.logprobs();
                }

                @Override
                public void onText(int sample, String text, List<CharLogProbs> logProbs) {
                    events.accept(new Delta(firstChoice + sample, text, logProbs));
                }
            };
        }
        return request.stream() ? (sample, text) -> events.accept(new Delta(firstChoice + sample, text, List.of()))
                : (sample, text) -> { };
    }

    private static List<Sample> await(CompletableFuture<List<Sample>> result) throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            log.warn("A completion failed", e.getCause());
            throw new ApiException(500, "internal", "generation failed");
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw ApiException.badRequest("the body is empty; send a JSON object");
        }
        try {
            return Json.TREE_ALLOWING_DUPLICATES.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("unreadable body");
        }
    }
}

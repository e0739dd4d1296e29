package dev.charlstm.serve;

import dev.charlstm.generate.Sample;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one completion as OpenAI does: {@code data: {chunk}} events sharing the completion's
 * id, a text delta per choice as the scheduler produces it, a chunk with each choice's
 * {@code finish_reason}, the usage chunk when asked for, then {@code data: [DONE]}.
 *
 * <p>The scheduler's thread turns what it produces into chunks and queues them on an
 * {@link EventStream}, which writes each one, flushed, as its own chunk of the response without
 * blocking: no server thread waits for the generation or for a slow client. A client that leaves
 * fails the stream's writes; its requests are then cancelled and their batch slots freed at the
 * next step.
 */
final class OpenAiEventStream {

    private static final Logger log = LoggerFactory.getLogger(OpenAiEventStream.class);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    private final OpenAiCompletion completion;
    private final EventStream events;
    /** Characters already sent per choice: where the next delta's log-probability offsets start. Guarded by this. */
    private final Map<Integer, Integer> sent = new HashMap<>();
    /** Each prompt's samples once its request has finished. Guarded by this. */
    private final List<List<Sample>> finished = new ArrayList<>();
    private int open;

    /**
     * Queues the echoed prompts at once, when the request asks for them: they come before any
     * generated text, which may arrive as soon as the prompts are submitted.
     */
    OpenAiEventStream(OpenAiCompletion completion, EventStream events) {
        this.completion = completion;
        this.events = events;
        OpenAiCompletionRequest request = completion.request;
        if (request.echo()) {
            for (int c = 0; c < request.prompts().size() * request.n(); c++) {
                Map<String, Object> chunk = completion.chunk(List.of(completion.choice(c,
                        completion.foldedPrompts.get(c / request.n()), null, null)));
                events.send("chunk", () -> chunk);
            }
        }
    }

    /** Text (and log-probabilities) of one choice, from the scheduler's thread. */
    synchronized void delta(OpenAiCompletions.Delta d) {
        int from = sent.getOrDefault(d.choice(), 0);
        sent.put(d.choice(), from + d.text().length());
        completion.countGenerated(d.text().length());
        Map<String, Object> chunk = completion.chunk(List.of(completion.choice(d.choice(), d.text(),
                completion.logprobs(d.choice(), d.logProbs(), from), null)));
        events.send("chunk", () -> chunk);
    }

    /**
     * Ends the stream once every prompt's request has finished. Each one completes after the
     * scheduler has handed over its last text, so its finish chunks follow its deltas.
     */
    void follow(List<CompletableFuture<List<Sample>>> results) {
        synchronized (this) {
            open = results.size();
        }
        for (int p = 0; p < results.size(); p++) {
            int prompt = p;
            results.get(p).whenComplete((samples, error) -> promptDone(prompt, samples, error, results));
        }
    }

    private synchronized void promptDone(int prompt, List<Sample> samples, Throwable error,
                                         List<CompletableFuture<List<Sample>>> results) {
        if (events.isEnding()) {
            return; // the client left, or the drain ended the stream: nobody to tell
        }
        if (error != null) { // OpenAI's clients raise an error event as an exception
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (!(cause instanceof CancellationException)) {
                log.warn("A streamed completion failed", cause);
            }
            results.forEach(r -> r.cancel(false));
            events.end("error", () -> OpenAiErrors.body(new ApiException(500, "internal", "generation failed")));
            return;
        }
        finished.add(samples);
        for (int i = 0; i < samples.size(); i++) {
            int choice = prompt * completion.request.n() + i;
            Map<String, Object> chunk = completion.chunk(List.of(completion.choice(choice, "",
                    completion.logprobs(choice, List.of(), 0), OpenAiCompletion.finishReason(samples.get(i)))));
            events.send("chunk", () -> chunk);
        }
        if (--open == 0) {
            if (completion.request.includeUsage()) {
                Map<String, Object> usage = completion.usageChunk(finished);
                events.send("usage", () -> usage);
            }
            events.endWith(DONE);
        }
    }
}

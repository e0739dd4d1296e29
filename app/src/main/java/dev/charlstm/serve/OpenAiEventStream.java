package dev.charlstm.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.charlstm.generate.Sample;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one completion as OpenAI does: {@code data: {chunk}} events sharing the completion's
 * id, a text delta per choice as the scheduler produces it, a chunk with each choice's
 * {@code finish_reason}, the usage chunk when asked for, then {@code data: [DONE]}.
 *
 * <p>Events go straight to the servlet response and each is flushed as it is written, so a client
 * sees every character when it is generated, never a buffer's worth later. A write that fails
 * means the client left: its requests are cancelled and their batch slots freed at the next step.
 */
final class OpenAiEventStream {

    private static final Logger log = LoggerFactory.getLogger(OpenAiEventStream.class);

    private final Context ctx;
    private final OpenAiCompletion completion;
    private final List<CompletableFuture<List<Sample>>> results;
    private final BlockingQueue<Object> events;
    private final ObjectMapper json;
    /** Characters already sent per choice: where the next delta's log-probability offsets start. */
    private final Map<Integer, Integer> sent = new HashMap<>();

    /** Marks, in the event queue, that the request of one prompt has finished. */
    private record PromptDone(int prompt) {}

    OpenAiEventStream(Context ctx, OpenAiCompletion completion, List<CompletableFuture<List<Sample>>> results,
                      BlockingQueue<Object> events, ObjectMapper json) {
        this.ctx = ctx;
        this.completion = completion;
        this.results = results;
        this.events = events;
        this.json = json;
    }

    void run() throws InterruptedException {
        for (int p = 0; p < results.size(); p++) {
            int prompt = p;
            // Runs after the scheduler's last text for this prompt, so it is queued behind it.
            results.get(p).whenComplete((samples, error) -> events.add(new PromptDone(prompt)));
        }
        HttpServletResponse res = ctx.res();
        res.setStatus(200);
        res.setContentType("text/event-stream; charset=utf-8");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        try {
            OutputStream out = res.getOutputStream();
            if (completion.request.echo()) {
                for (int c = 0; c < completion.request.prompts().size() * completion.request.n(); c++) {
                    write(out, completion.chunk(List.of(completion.choice(c,
                            completion.foldedPrompts.get(c / completion.request.n()), null, null))));
                }
            }
            List<List<Sample>> finished = new ArrayList<>();
            for (int open = results.size(); open > 0; ) {
                Object e = events.take();
                if (e instanceof OpenAiCompletions.Delta d) {
                    int from = sent.getOrDefault(d.choice(), 0);
                    sent.put(d.choice(), from + d.text().length());
                    completion.countGenerated(d.text().length());
                    write(out, completion.chunk(List.of(completion.choice(d.choice(), d.text(),
                            completion.logprobs(d.choice(), d.logProbs(), from), null))));
                } else if (e instanceof PromptDone done) {
                    open--;
                    List<Sample> samples = outcome(results.get(done.prompt()));
                    if (samples == null) { // OpenAI's clients raise an error event as an exception
                        results.forEach(r -> r.cancel(false));
                        write(out, OpenAiErrors.body(new ApiException(500, "internal", "generation failed")));
                        return;
                    }
                    finished.add(samples);
                    for (int i = 0; i < samples.size(); i++) {
                        int choice = done.prompt() * completion.request.n() + i;
                        write(out, completion.chunk(List.of(completion.choice(choice, "",
                                completion.logprobs(choice, List.of(), 0), OpenAiCompletion.finishReason(samples.get(i))))));
                    }
                }
            }
            if (completion.request.includeUsage()) {
                write(out, completion.usageChunk(finished));
            }
            writeRaw(out, "data: [DONE]\n\n");
        } catch (IOException clientGone) {
            results.forEach(r -> r.cancel(false)); // frees the batch slots at the next step
            log.debug("Client left a completion stream: {}", clientGone.toString());
        }
    }

    /** A prompt's samples, or null when its generation failed or was cancelled. */
    private static List<Sample> outcome(CompletableFuture<List<Sample>> result) throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            log.warn("A streamed completion failed", e);
            return null;
        }
    }

    private void write(OutputStream out, Map<String, Object> chunk) throws IOException {
        writeRaw(out, "data: " + json.writeValueAsString(chunk) + "\n\n");
    }

    /** One event, then a flush through to the socket: the client must not wait for a buffer to fill. */
    private void writeRaw(OutputStream out, String event) throws IOException {
        out.write(event.getBytes(StandardCharsets.UTF_8));
        out.flush();
        ctx.res().flushBuffer();
    }
}

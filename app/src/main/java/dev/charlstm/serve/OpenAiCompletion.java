package dev.charlstm.serve;

import dev.charlstm.generate.CharLogProbs;
import dev.charlstm.generate.Sample;
import dev.charlstm.text.TextNormalizer;
import dev.charlstm.text.Vocabulary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One completion being answered: its id and time, and the JSON of its response or stream chunks,
 * shaped exactly as OpenAI shapes a {@code text_completion}. Tokens are characters, so every
 * count in {@code usage} is a count of characters.
 */
final class OpenAiCompletion {

    final String id;
    final long created;
    final String model;
    final OpenAiCompletionRequest request;
    /** Each prompt as the model reads it, folded onto its vocabulary: what echo and offsets refer to. */
    final List<String> foldedPrompts = new ArrayList<>();
    private final Map<Integer, List<CharLogProbs>> logProbs = new HashMap<>();
    private long generatedChars;

    OpenAiCompletion(String id, long created, ModelRegistry.Served served, OpenAiCompletionRequest request) {
        this.id = id;
        this.created = created;
        this.model = served.name();
        this.request = request;
        TextNormalizer fold = TextNormalizer.forVocabulary(Vocabulary.of(served.info().vocabulary()));
        for (String p : request.prompts()) {
            foldedPrompts.add(fold.normalize(p).text());
        }
    }

    /** The log-probabilities gathered so far for one choice. */
    List<CharLogProbs> logProbs(int choice) {
        return logProbs.computeIfAbsent(choice, c -> new ArrayList<>());
    }

    long generatedChars() {
        return generatedChars;
    }

    void countGenerated(long chars) {
        generatedChars += chars;
    }

    /** The whole non-streamed answer; {@code samples} holds each prompt's choices in order. */
    Map<String, Object> response(List<List<Sample>> samples) {
        List<Map<String, Object>> choices = new ArrayList<>();
        for (int p = 0; p < samples.size(); p++) {
            for (int i = 0; i < samples.get(p).size(); i++) {
                Sample s = samples.get(p).get(i);
                int index = p * request.n() + i;
                countGenerated(s.text().length());
                choices.add(choice(index, request.echo() ? s.prime() + s.text() : s.text(),
                        logprobs(index, logProbs(index), 0), finishReason(s)));
            }
        }
        Map<String, Object> o = envelope(choices);
        o.put("usage", usage(samples));
        return o;
    }

    /** A stream chunk: the envelope of the response with some choices' deltas. */
    Map<String, Object> chunk(List<Map<String, Object>> choices) {
        return envelope(choices);
    }

    /** The chunk OpenAI ends a stream with when asked for usage: no choices, only the counts. */
    Map<String, Object> usageChunk(List<List<Sample>> samples) {
        Map<String, Object> o = envelope(List.of());
        o.put("usage", usage(samples));
        return o;
    }

    Map<String, Object> choice(int index, String text, Map<String, Object> logprobs, String finishReason) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("text", text);
        c.put("index", index);
        c.put("logprobs", logprobs);
        c.put("finish_reason", finishReason);
        return c;
    }

    /**
     * OpenAI's {@code logprobs} object for characters starting {@code from} characters into the
     * choice's text; offsets count from the start of the prompt, as OpenAI's do. Null when the
     * request did not ask for log-probabilities.
     */
    Map<String, Object> logprobs(int choice, List<CharLogProbs> chars, int from) {
        if (request.logprobs() == null) {
            return null;
        }
        int offset = foldedPrompts.get(choice / request.n()).length() + from;
        List<String> tokens = new ArrayList<>();
        List<Double> tokenLogprobs = new ArrayList<>();
        List<Map<String, Double>> top = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (CharLogProbs c : chars) {
            tokens.add(String.valueOf(c.character()));
            tokenLogprobs.add(c.logProb());
            Map<String, Double> alternatives = new LinkedHashMap<>();
            c.top().forEach(a -> alternatives.put(String.valueOf(a.character()), a.logProb()));
            top.add(alternatives);
            offsets.add(offset++);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("tokens", tokens);
        o.put("token_logprobs", tokenLogprobs);
        o.put("top_logprobs", top);
        o.put("text_offset", offsets);
        return o;
    }

    static String finishReason(Sample s) {
        return s.stoppedBy() != null ? "stop" : "length";
    }

    private Map<String, Object> envelope(List<Map<String, Object>> choices) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", id);
        o.put("object", "text_completion");
        o.put("created", created);
        o.put("model", model);
        o.put("choices", choices);
        return o;
    }

    private Map<String, Object> usage(List<List<Sample>> samples) {
        long prompt = foldedPrompts.stream().mapToLong(String::length).sum();
        long completion = samples.stream().flatMap(List::stream).mapToLong(s -> s.text().length()).sum();
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
        return u;
    }
}

package dev.charlstm.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.charlstm.generate.GenerationOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A checked {@code POST /v1/completions} body. Every OpenAI field is either honoured or refused
 * with a 400 that names it: a field that would change the output is never silently dropped.
 *
 * @param model        the model name, or null for the only one served
 * @param prompts      one prime per prompt; each gets its own {@code n} choices
 * @param maxTokens    characters to generate per choice
 * @param n            choices per prompt
 * @param logprobs     how many of the likeliest characters to report per position, or null for none
 * @param echo         whether each choice's text starts with its prompt
 * @param stream       whether to answer with server-sent chunks
 * @param includeUsage whether a stream ends with a usage chunk ({@code stream_options.include_usage})
 */
record OpenAiCompletionRequest(String model, List<String> prompts, int maxTokens, double temperature, double topP,
                               int topK, Long seed, List<String> stop, int n, Integer logprobs, boolean echo,
                               boolean stream, boolean includeUsage) {

    /** OpenAI's own range for {@code logprobs} on completions. */
    static final int MAX_LOGPROBS = 5;
    /** OpenAI's default when {@code max_tokens} is left out. */
    static final int DEFAULT_MAX_TOKENS = 16;

    private static final Set<String> FIELDS = Set.of("model", "prompt", "max_tokens", "temperature", "top_p", "top_k",
            "n", "stop", "seed", "stream", "stream_options", "user", "logprobs", "echo", "best_of",
            "frequency_penalty", "presence_penalty", "logit_bias", "suffix");

    /** The options for one prompt: {@code n} samples with seeds {@code seed .. seed + n - 1}. */
    GenerationOptions optionsFor(String prompt) {
        return GenerationOptions.builder().prime(prompt).length(maxTokens).temperature(temperature).topP(topP)
                .topK(topK).seed(seed).count(n).stop(stop).build();
    }

    /** Checks a parsed body against OpenAI's field types and the service's limits. */
    static OpenAiCompletionRequest from(JsonNode body, ServiceLimits limits) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw ApiException.badParam(f, "unknown field '" + f + "'");
            }
        });
        refuseWhatWouldChangeTheOutput(body);
        String model = string(body, "model");
        List<String> prompts = prompts(body.get("prompt"), limits);
        int maxTokens = integer(body, "max_tokens", 0, limits.maxLength(), DEFAULT_MAX_TOKENS);
        double temperature = number(body, "temperature", 0, GenerationOptions.MAX_TEMPERATURE, 1.0);
        double topP = number(body, "top_p", 0, 1, 1.0);
        if (topP == 0) {
            throw ApiException.badParam("top_p", "'top_p' must be in (0, 1], got 0");
        }
        int topK = integer(body, "top_k", 0, Integer.MAX_VALUE, 0);
        int n = integer(body, "n", 1, limits.maxCount(), 1);
        if ((long) n * prompts.size() > limits.maxCount()) {
            throw ApiException.badParam("n", "prompts × n must be at most " + limits.maxCount() + ", got "
                    + prompts.size() + " × " + n);
        }
        JsonNode bestOf = present(body, "best_of");
        if (bestOf != null && !(bestOf.isIntegralNumber() && bestOf.asLong() == n)) {
            throw ApiException.badParam("best_of", "'best_of' other than n is not supported: every choice drawn is"
                    + " returned");
        }
        Long seed = present(body, "seed") == null ? null : longInteger(body, "seed");
        List<String> stop = stops(body.get("stop"), limits);
        JsonNode lp = present(body, "logprobs");
        Integer logprobs = lp == null ? null : integer(body, "logprobs", 0, MAX_LOGPROBS, 0);
        boolean echo = bool(body, "echo");
        if (echo && logprobs != null) {
            throw ApiException.badParam("echo", "'echo' together with 'logprobs' is not supported: log-probabilities"
                    + " cover generated characters only");
        }
        boolean stream = bool(body, "stream");
        string(body, "user"); // accepted and ignored, but it must still be a string
        return new OpenAiCompletionRequest(model, prompts, maxTokens, temperature, topP, topK, seed, stop, n,
                logprobs, echo, stream, includeUsage(body));
    }

    /** Penalties, biases and suffixes have no implementation here: only their neutral values pass. */
    private static void refuseWhatWouldChangeTheOutput(JsonNode body) {
        for (String penalty : List.of("frequency_penalty", "presence_penalty")) {
            JsonNode v = present(body, penalty);
            if (v != null && !(v.isNumber() && v.asDouble() == 0)) {
                throw ApiException.badParam(penalty, "'" + penalty + "' is not supported; leave it out or send 0");
            }
        }
        JsonNode bias = present(body, "logit_bias");
        if (bias != null && !(bias.isObject() && bias.isEmpty())) {
            throw ApiException.badParam("logit_bias", "'logit_bias' is not supported; leave it out or send {}");
        }
        JsonNode suffix = present(body, "suffix");
        if (suffix != null && !(suffix.isTextual() && suffix.asText().isEmpty())) {
            throw ApiException.badParam("suffix", "'suffix' (insertion) is not supported: the model only continues"
                    + " text");
        }
    }

    private static List<String> prompts(JsonNode prompt, ServiceLimits limits) {
        if (prompt == null || prompt.isNull()) {
            throw ApiException.badParam("prompt", "'prompt' is required");
        }
        List<String> prompts = new ArrayList<>();
        if (prompt.isTextual()) {
            prompts.add(prompt.asText());
        } else if (prompt.isArray()) {
            if (prompt.isEmpty() || prompt.size() > limits.maxCount()) {
                throw ApiException.badParam("prompt", "'prompt' must hold 1 to " + limits.maxCount() + " strings, got "
                        + prompt.size());
            }
            for (JsonNode p : prompt) {
                if (!p.isTextual()) {
                    throw ApiException.badParam("prompt", p.isNumber() || p.isArray()
                            ? "'prompt' as token ids is not supported: this model's tokens are characters, send text"
                            : "'prompt' must be a string or an array of strings");
                }
                prompts.add(p.asText());
            }
        } else {
            throw ApiException.badParam("prompt", "'prompt' must be a string or an array of strings");
        }
        for (String p : prompts) {
            if (p.isEmpty()) {
                throw ApiException.badParam("prompt", "'prompt' must have at least one character: the model"
                        + " continues text");
            }
            if (p.length() > limits.maxPrimeChars()) {
                throw ApiException.badParam("prompt", "'prompt' must be at most " + limits.maxPrimeChars()
                        + " characters");
            }
        }
        return prompts;
    }

    private static List<String> stops(JsonNode stop, ServiceLimits limits) {
        List<String> stops = new ArrayList<>();
        if (stop == null || stop.isNull()) {
            return stops;
        }
        if (stop.isTextual()) {
            stops.add(stop.asText());
        } else if (stop.isArray()) {
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw ApiException.badParam("stop", "'stop' must be a string or an array of strings");
                }
                stops.add(s.asText());
            }
        } else {
            throw ApiException.badParam("stop", "'stop' must be a string or an array of strings");
        }
        if (stops.size() > limits.maxStops()) {
            throw ApiException.badParam("stop", "at most " + limits.maxStops() + " stop strings");
        }
        for (String s : stops) {
            if (s.isEmpty() || s.length() > ServiceLimits.MAX_STOP_CHARS) {
                throw ApiException.badParam("stop", "stop strings must have 1 to " + ServiceLimits.MAX_STOP_CHARS
                        + " characters");
            }
        }
        return stops;
    }

    private static boolean includeUsage(JsonNode body) {
        JsonNode options = present(body, "stream_options");
        if (options == null) {
            return false;
        }
        if (!options.isObject()) {
            throw ApiException.badParam("stream_options", "'stream_options' must be an object");
        }
        options.fieldNames().forEachRemaining(f -> {
            if (!f.equals("include_usage")) {
                throw ApiException.badParam("stream_options", "unknown field 'stream_options." + f + "'");
            }
        });
        return bool(options, "include_usage");
    }

    /** The field's value, or null when it is absent or JSON null (OpenAI treats both as "default"). */
    private static JsonNode present(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? null : v;
    }

    private static String string(JsonNode body, String field) {
        JsonNode v = present(body, field);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badParam(field, "'" + field + "' must be a string");
        }
        return v.asText();
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode v = present(body, field);
        if (v != null && !v.isBoolean()) {
            throw ApiException.badParam(field, "'" + field + "' must be true or false");
        }
        return v != null && v.asBoolean();
    }

    private static int integer(JsonNode body, String field, int min, int max, int absent) {
        JsonNode v = present(body, field);
        if (v == null) {
            return absent;
        }
        long value = longInteger(body, field);
        if (value < min || value > max) {
            throw ApiException.badParam(field, "'" + field + "' must be in [" + min + ", " + max + "], got " + value);
        }
        return (int) value;
    }

    private static long longInteger(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (!v.isIntegralNumber()) {
            throw ApiException.badParam(field, "'" + field + "' must be an integer");
        }
        if (!v.canConvertToLong()) {
            throw ApiException.badParam(field, "'" + field + "' is out of range: " + v.asText());
        }
        return v.asLong();
    }

    private static double number(JsonNode body, String field, double min, double max, double absent) {
        JsonNode v = present(body, field);
        if (v == null) {
            return absent;
        }
        if (!v.isNumber()) {
            throw ApiException.badParam(field, "'" + field + "' must be a number");
        }
        double value = v.asDouble();
        if (!(value >= min && value <= max)) {
            throw ApiException.badParam(field, "'" + field + "' must be in [" + fmt(min) + ", " + fmt(max) + "], got "
                    + v.asText());
        }
        return value;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}

package dev.charlstm.serve;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.charlstm.generate.GenerationOptions;
import java.util.List;

/**
 * The JSON body of {@code POST /v1/generate} and {@code /v1/generate/stream}; absent fields take
 * the library's defaults ({@link SampleJson#DEFAULTS}).
 */
record GenerateRequest(
        @JsonProperty("model") String model,
        @JsonProperty("prime") String prime,
        @JsonProperty("length") Integer length,
        @JsonProperty("temperature") Double temperature,
        @JsonProperty("top_k") Integer topK,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("seed") JsonNode seed,
        @JsonProperty("count") Integer count,
        @JsonProperty("stop") List<String> stop,
        @JsonProperty("stream") Boolean stream) {

    /**
     * The seed as a number, or as a string of digits: JavaScript reads JSON numbers as doubles,
     * which keep only 53 bits, so a page must be able to send a 64-bit seed as text.
     */
    Long seedValue() {
        if (seed == null || seed.isNull()) {
            return null;
        }
        if (seed.isIntegralNumber() && seed.canConvertToLong()) {
            return seed.longValue();
        }
        if (seed.isTextual() && seed.asText().matches("-?[0-9]{1,19}")) {
            try {
                return Long.parseLong(seed.asText());
            } catch (NumberFormatException e) {
                // past the range of a long: the error below
            }
        }
        throw ApiException.badRequest("seed must be an integer in [" + Long.MIN_VALUE + ", " + Long.MAX_VALUE
                + "], as a number or a string of digits");
    }

    /** Checks the request against the service's limits and turns it into generation options. */
    GenerationOptions toOptions(ServiceLimits limits) {
        GenerationOptions defaults = SampleJson.DEFAULTS;
        String p = prime == null ? defaults.prime() : prime;
        if (p.length() > limits.maxPrimeChars()) {
            throw ApiException.badRequest("prime must be at most " + limits.maxPrimeChars() + " characters");
        }
        int len = length == null ? defaults.length() : length;
        if (len < 0 || len > limits.maxLength()) {
            throw ApiException.badRequest("length must be in [0, " + limits.maxLength() + "], got " + len);
        }
        int n = count == null ? defaults.count() : count;
        if (n < 1 || n > limits.maxCount()) {
            throw ApiException.badRequest("count must be in [1, " + limits.maxCount() + "], got " + n);
        }
        List<String> stops = stop == null ? defaults.stop() : stop;
        if (stops.size() > limits.maxStops()) {
            throw ApiException.badRequest("at most " + limits.maxStops() + " stop strings");
        }
        for (String s : stops) {
            if (s == null) { // [".", null] would otherwise fail deep in the options as a bare NullPointerException
                throw ApiException.badRequest("stop strings must be strings, not null");
            }
            if (s.length() > ServiceLimits.MAX_STOP_CHARS) {
                throw ApiException.badRequest("stop strings must be at most " + ServiceLimits.MAX_STOP_CHARS
                        + " characters");
            }
        }
        try {
            return GenerationOptions.builder().prime(p).length(len)
                    .temperature(temperature == null ? defaults.temperature() : temperature)
                    .topK(topK == null ? defaults.topK() : topK).topP(topP == null ? defaults.topP() : topP)
                    .seed(seedValue()).count(n).stop(stops).build();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }
}

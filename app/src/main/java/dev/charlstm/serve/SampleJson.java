package dev.charlstm.serve;

import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Sample;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one JSON shape of a generation result: {@code model}, {@code texts}, {@code stopped_by},
 * {@code options} (what was used, defaults filled in) and {@code timing}. The service's
 * {@code /v1/generate} answers with it, and {@code sample --json} prints it, so both read alike.
 */
public final class SampleJson {

    /**
     * The options of a request that leaves every field out. The service and the command line take
     * their defaults from here, so that both fall back to what the library does.
     */
    public static final GenerationOptions DEFAULTS = GenerationOptions.builder().build();

    private SampleJson() {}

    /**
     * The service's answer. The seed is a string: JavaScript reads JSON numbers as doubles and
     * would round a 64-bit seed.
     */
    static Map<String, Object> forService(String model, List<Sample> samples, GenerationOptions options,
                                          double seconds) {
        return build(model, samples, options, seconds, false);
    }

    /**
     * The command line's: the seed as a number, for scripts and {@code jq}, and each sample's own
     * seed under {@code seeds}.
     */
    public static Map<String, Object> forCommandLine(String model, List<Sample> samples, GenerationOptions options,
                                                     double seconds) {
        return build(model, samples, options, seconds, true);
    }

    private static Map<String, Object> build(String model, List<Sample> samples, GenerationOptions options,
                                             double seconds, boolean commandLine) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", model);
        o.put("texts", samples.stream().map(Sample::text).toList());
        // One entry per sample, "length" when it ran to the requested length (see README).
        o.put("stopped_by", samples.stream().map(s -> s.stoppedBy() == null ? "length" : s.stoppedBy()).toList());
        if (commandLine) {
            o.put("seeds", samples.stream().map(Sample::seed).toList());
        }
        o.put("options", options(samples, options, commandLine));
        long chars = samples.stream().mapToLong(s -> s.text().length()).sum();
        Map<String, Object> timing = new LinkedHashMap<>();
        timing.put("seconds", Math.round(seconds * 1e4) / 1e4);
        timing.put("chars_per_sec", seconds > 0 ? Math.round(chars / seconds) : 0);
        o.put("timing", timing);
        return o;
    }

    /** The options as used: the prime as folded and the seed as drawn, from the first sample. */
    private static Map<String, Object> options(List<Sample> samples, GenerationOptions options, boolean seedAsNumber) {
        Map<String, Object> used = new LinkedHashMap<>();
        used.put("prime", samples.isEmpty() ? options.prime() : samples.get(0).prime());
        used.put("length", options.length());
        used.put("temperature", options.temperature());
        used.put("top_k", options.topK());
        used.put("top_p", options.topP());
        Long seed = samples.isEmpty() ? options.seed() : Long.valueOf(samples.get(0).seed());
        used.put("seed", seed == null || seedAsNumber ? seed : seed.toString());
        used.put("count", options.count());
        used.put("stop", options.stop());
        return used;
    }
}

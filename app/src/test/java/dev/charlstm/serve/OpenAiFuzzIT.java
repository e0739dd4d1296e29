package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.charlstm.testing.RunningService;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Seeded random {@code /v1/completions} bodies: every OpenAI field with values of every JSON type,
 * in range and out. Each answer is a 200 with one choice per prompt and {@code n}, or a 4xx in
 * OpenAI's error shape; never a 5xx. {@code -Dfuzz.seed=N} replays a run.
 */
class OpenAiFuzzIT {

    private static final String[] FIELDS = {"model", "prompt", "max_tokens", "temperature", "top_p", "top_k", "n",
        "stop", "seed", "stream", "stream_options", "user", "logprobs", "echo", "best_of", "frequency_penalty",
        "presence_penalty", "logit_bias", "suffix", "messages", "functions"};
    private static final String[] VALUES = {"null", "true", "false", "0", "1", "2", "3", "5", "16", "17", "-1",
        "10001", "1099511627776", "1e30", "0.5", "1.5", "-0.0", "\"\"", "\"Th\"", "\"faq\"", "\"e\"", "\"\\u2603\"",
        "\"\\u0000\"", "\"Masks are\"", "[]", "[\"Th\",\"Wh\"]", "[1,2]", "[\"e\",null]", "[[1]]", "{}",
        "{\"include_usage\":true}", "{\"x\":1}", "\"" + "a".repeat(10_001) + "\""};

    @RegisterExtension
    static final RunningService service = RunningService.withPeakyModels("faq.zip");

    @Test
    void randomBodiesGetAnAnswerOrAnOpenAiErrorNeverA5xx() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("OpenAiFuzzIT: fuzz.seed=" + seed);
        ServiceClient client = new ServiceClient(service, null);
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Random random = new Random(seed + t);
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        String body = body(random);
                        try {
                            check(body, client.post("/v1/completions", body), problems);
                        } catch (Exception e) {
                            problems.add(body + " → " + e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            assertThat(problems).as("seed %d", seed).isEmpty();
            String metrics = client.get("/metrics").body();
            assertThat(metrics).contains("charlstm_pending_requests 0").contains("charlstm_open_event_streams 0");
        } finally {
            pool.shutdownNow();
        }
    }

    private static String body(Random random) {
        if (random.nextInt(20) == 0) {
            return new String[] {"", "{", "[]", "null", "{\"prompt\":\"Th\"}{}", "{\"prompt\":}"}[random.nextInt(6)];
        }
        StringBuilder b = new StringBuilder("{\"prompt\":").append(random.nextInt(4) == 0 ? pick(random) : "\"Th\"");
        for (int k = random.nextInt(6); k > 0; k--) {
            b.append(",\"").append(FIELDS[random.nextInt(FIELDS.length)]).append("\":").append(pick(random));
        }
        return b.append('}').toString();
    }

    private static String pick(Random random) {
        return VALUES[random.nextInt(VALUES.length)];
    }

    private static void check(String body, ServiceClient.Reply r, List<String> problems) throws Exception {
        String what = body.length() > 300 ? body.substring(0, 300) + "..." : body;
        if (r.status() >= 500 || (r.status() != 200 && r.status() < 400)) {
            problems.add(what + " → " + r.status() + " " + r.body());
            return;
        }
        if (r.status() >= 400) {
            JsonNode error = r.json().path("error");
            for (String field : new String[] {"message", "type", "param", "code"}) {
                if (!error.has(field)) {
                    problems.add(what + " → error without '" + field + "': " + r.body());
                }
            }
            return;
        }
        JsonNode request = ServiceClient.JSON.readTree(body);
        int prompts = request.get("prompt").isArray() ? request.get("prompt").size() : 1;
        int n = request.path("n").isInt() ? request.get("n").asInt() : 1;
        if (r.contentType().startsWith("text/event-stream")) {
            List<String> data = OpenAiStreams.dataLines(r.body());
            if (data.isEmpty() || !data.get(data.size() - 1).equals("[DONE]")) {
                problems.add(what + " → a stream that does not end with [DONE]: " + r.body());
            }
            return;
        }
        if (r.json().path("choices").size() != prompts * n) {
            problems.add(what + " → " + r.json().path("choices").size() + " choices, expected " + prompts * n);
        }
    }
}

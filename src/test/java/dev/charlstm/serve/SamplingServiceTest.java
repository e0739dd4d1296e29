package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service over real HTTP on 127.0.0.1, with two models and a bearer token. */
class SamplingServiceTest {

    static final String TOKEN = "s3cret-token";

    @TempDir
    static Path dir;
    static SamplingService service;
    static ServiceClient client;
    static Generator faq;

    @BeforeAll
    static void start() throws Exception {
        TinyModels.savePeaky(dir.resolve("faq").resolve("model.zip"));
        TinyModels.savePeaky(dir.resolve("other.zip"));
        Files.createDirectories(dir.resolve("empty-dir"));
        service = SamplingService.start(new SamplingService.Config(dir, null, "127.0.0.1", 0, TOKEN));
        client = new ServiceClient(service.port(), TOKEN);
        faq = Generator.load(dir.resolve("faq").resolve("model.zip"));
    }

    @AfterAll
    static void stop() throws Exception {
        service.stop(5);
    }

    private static String expected(String prime, int length, long seed) {
        return faq.generate(GenerationOptions.builder().prime(prime).length(length).seed(seed).build()).get(0).text();
    }

    @Test
    void healthNeedsNoTokenEverythingElseDoes() throws Exception {
        ServiceClient anonymous = client.withToken(null);
        assertThat(anonymous.get("/healthz").status()).isEqualTo(200);
        assertThat(anonymous.get("/healthz").json().get("status").asText()).isEqualTo("ok");
        for (String path : List.of("/v1/models", "/metrics")) {
            ServiceClient.Reply r = anonymous.get(path);
            assertThat(r.status()).as(path).isEqualTo(401);
            assertThat(r.json().get("error").get("code").asText()).isEqualTo("unauthorized");
        }
        assertThat(anonymous.post("/v1/generate", "{}").status()).isEqualTo(401);
        assertThat(anonymous.post("/v1/score", "{\"text\":\"ab\"}").status()).isEqualTo(401);
        assertThat(client.withToken("wrong").get("/v1/models").status()).isEqualTo(401);
        assertThat(anonymous.get("/").status()).isEqualTo(200);
    }

    @Test
    void listsTheModels() throws Exception {
        JsonNode models = client.get("/v1/models").json().get("models");
        assertThat(models).hasSize(2);
        assertThat(models.get(0).get("name").asText()).isEqualTo("faq");
        assertThat(models.get(1).get("name").asText()).isEqualTo("other");
        assertThat(models.get(0).get("vocabulary_size").asInt()).isEqualTo(100);
        assertThat(models.get(0).get("layers").asInt()).isEqualTo(2);
        assertThat(models.get(0).has("val_loss_nats")).isTrue();
        assertThat(models.get(0).get("trained_at").asText()).isEqualTo("2026-11-30T00:00:00Z");
    }

    @Test
    void generatesWhatTheLibraryGenerates() throws Exception {
        ServiceClient.Reply r = client.post("/v1/generate",
                "{\"model\":\"faq\",\"prime\":\"Masks\",\"length\":120,\"seed\":42,\"temperature\":0.8}");
        assertThat(r.status()).isEqualTo(200);
        JsonNode json = r.json();
        assertThat(json.get("texts").get(0).asText()).isEqualTo(expected("Masks", 120, 42));
        assertThat(json.get("options").get("seed").asLong()).isEqualTo(42);
        assertThat(json.get("options").get("top_p").asDouble()).isEqualTo(1.0);
        assertThat(json.get("stopped_by").get(0).asText()).isEqualTo("length");
        assertThat(json.get("timing").get("seconds").asDouble()).isPositive();
    }

    @Test
    void streamsTheSameTextAsServerSentEvents() throws Exception {
        for (String request : List.of("/v1/generate\t{\"model\":\"faq\",\"prime\":\"Masks\",\"length\":150,\"seed\":9,\"stream\":true}",
                "/v1/generate/stream\t{\"model\":\"faq\",\"prime\":\"Masks\",\"length\":150,\"seed\":9}")) {
            String[] parts = request.split("\t");
            ServiceClient.Reply r = client.post(parts[0], parts[1]);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.contentType()).startsWith("text/event-stream");
            List<String[]> events = r.events();
            StringBuilder text = new StringBuilder();
            for (String[] e : events.subList(0, events.size() - 1)) {
                assertThat(e[0]).isEqualTo("text");
                text.append(ServiceClient.JSON.readTree(e[1]).get("text").asText());
            }
            String[] done = events.get(events.size() - 1);
            assertThat(done[0]).isEqualTo("done");
            assertThat(text.toString()).isEqualTo(expected("Masks", 150, 9))
                    .isEqualTo(ServiceClient.JSON.readTree(done[1]).get("texts").get(0).asText());
            assertThat(events.size()).isGreaterThan(100);
        }
    }

    @Test
    void concurrentRequestsGetExactlyWhatTheyWouldGetAlone() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<ServiceClient.Reply>> replies = new ArrayList<>();
            for (int seed = 0; seed < 32; seed++) {
                String body = "{\"model\":\"faq\",\"prime\":\"Th\",\"length\":400,\"seed\":" + seed
                        + (seed % 2 == 0 ? ",\"stream\":true}" : "}");
                replies.add(pool.submit(() -> client.post("/v1/generate", body)));
            }
            for (int seed = 0; seed < 32; seed++) {
                ServiceClient.Reply r = replies.get(seed).get();
                assertThat(r.status()).isEqualTo(200);
                JsonNode json = seed % 2 == 0 ? ServiceClient.JSON.readTree(r.events().get(r.events().size() - 1)[1])
                        : r.json();
                assertThat(json.get("texts").get(0).asText()).as("seed %d", seed).isEqualTo(expected("Th", 400, seed));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * 32 clients at once really share forward steps: while they run, {@code /metrics} must show a
     * step of at least 16 samples (wide enough for the scheduler to split it across two cores), and
     * every text must still be what it is alone. The gauge is read while the requests run; each is
     * 5,000 characters long, so the wide steps last far longer than one scrape of the metrics.
     */
    @Test
    void concurrentRequestsShareWideForwardStepsAndStillGetWhatTheyGetAlone() throws Exception {
        int clients = 32;
        int length = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(clients);
            List<Future<ServiceClient.Reply>> replies = new ArrayList<>();
            for (int seed = 100; seed < 100 + clients; seed++) {
                String body = "{\"model\":\"faq\",\"prime\":\"Th\",\"length\":" + length + ",\"seed\":" + seed + "}";
                replies.add(pool.submit(() -> {
                    ready.countDown();
                    ready.await();
                    return client.post("/v1/generate", body);
                }));
            }
            java.util.regex.Pattern gauge = java.util.regex.Pattern.compile("(?m)^charlstm_active_streams (\\S+)$");
            double widest = 0;
            while (!replies.stream().allMatch(Future::isDone)) {
                java.util.regex.Matcher m = gauge.matcher(client.get("/metrics").body());
                assertThat(m.find()).as("charlstm_active_streams in /metrics").isTrue();
                widest = Math.max(widest, Double.parseDouble(m.group(1)));
            }
            assertThat(widest).as("most samples seen in one forward step").isGreaterThanOrEqualTo(16);
            for (int i = 0; i < clients; i++) {
                ServiceClient.Reply r = replies.get(i).get();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.json().get("texts").get(0).asText()).as("seed %d", 100 + i)
                        .isEqualTo(expected("Th", length, 100 + i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void scoresAText() throws Exception {
        ServiceClient.Reply r = client.post("/v1/score", "{\"model\":\"faq\",\"text\":\"Masks are required indoors.\"}");
        assertThat(r.status()).isEqualTo(200);
        double expected = faq.score("Masks are required indoors.").lossNats();
        assertThat(r.json().get("loss_nats").asDouble()).isCloseTo(expected, within(1e-9));
        assertThat(r.json().get("bpc").asDouble()).isCloseTo(expected / Math.log(2), within(1e-9));
        assertThat(r.json().get("chars").asInt()).isEqualTo(26);
    }

    @Test
    void badRequestsAreClearJsonErrorsNeverServerErrors() throws Exception {
        String[][] cases = {
            {"{bad json", "400", "malformed JSON"},
            {"[1,2]", "400", "must be a JSON object"},
            {"null", "400", "must be a JSON object"},
            {"", "400", "body is empty"},
            {"{\"model\":\"faq\",\"lenght\":5}", "400", "unknown field 'lenght'"},
            {"{\"model\":\"faq\",\"length\":\"long\"}", "400", "field 'length' has the wrong type"},
            {"{\"model\":\"faq\",\"length\":2.5}", "400", "field 'length' has the wrong type"},
            {"{\"model\":\"faq\",\"length\":1e300}", "400", "field 'length'"},
            {"{\"model\":\"faq\",\"length\":99999999999}", "400", "out of range"},
            {"{\"model\":\"faq\",\"length\":10001}", "400", "length must be in [0, 10000]"},
            {"{\"model\":\"faq\",\"count\":17}", "400", "count must be in [1, 16]"},
            {"{\"model\":\"faq\",\"temperature\":-0.5}", "400", "temperature must be in [0, 100]"},
            {"{\"model\":\"faq\",\"top_k\":-1}", "400", "top-k must be >= 0"},
            {"{\"model\":\"faq\",\"top_p\":0}", "400", "top-p must be in (0, 1]"},
            {"{\"model\":\"faq\",\"top_p\":1.01}", "400", "top-p must be in (0, 1]"},
            {"{\"model\":\"faq\",\"prime\":\"\"}", "400", "prime must have at least one character"},
            {"{\"model\":\"faq\",\"prime\":\"snow \\u2603\"}", "400", "position 5"},
            {"{\"model\":\"faq\",\"prime\":\"\\u0000\"}", "400", "(U+0000) at position 0"},
            {"{\"model\":\"faq\",\"prime\":\"" + "a".repeat(10_001) + "\"}", "400", "prime must be at most"},
            {"{\"model\":\"faq\",\"stop\":[\"\"]}", "400", "stop strings must not be empty"},
            {"{\"model\":\"faq\",\"stop\":[\".\",null]}", "400", "stop strings must be strings, not null"}, // was a 500
            {"{\"model\":\"faq\",\"stop\":\"x\"}", "400", "field 'stop' has the wrong type"},
            {"{\"model\":\"nope\"}", "404", "unknown model 'nope'"},
            {"{\"model\":\"../faq\"}", "404", "unknown model '../faq'"},
            {"{\"model\":\"faq/../other\"}", "404", "unknown model"},
            {"{}", "400", "'model' is required"},
            {"{\"model\":7}", "400", "field 'model' has the wrong type"},
        };
        for (String[] c : cases) {
            ServiceClient.Reply r = client.post("/v1/generate", c[0]);
            assertThat(r.status()).as(c[0]).isEqualTo(Integer.parseInt(c[1]));
            assertThat(r.json().get("error").get("message").asText()).as(c[0]).contains(c[2]);
            assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
        }
        ServiceClient.Reply big = client.post("/v1/generate", "{\"prime\":\"" + "a".repeat(300_000) + "\"}");
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.json().get("error").get("code").asText()).isEqualTo("too_large");
        assertThat(client.post("/v1/score", "{\"model\":\"faq\",\"text\":5}").status()).isEqualTo(400);
        assertThat(client.post("/v1/score", "{\"model\":\"faq\",\"text\":\"x\",\"extra\":1}").json().get("error")
                .get("message").asText()).isEqualTo("unknown field 'extra'");
        assertThat(client.get("/v2/nothing").status()).isEqualTo(404);
        assertThat(client.get("/v2/nothing").json().get("error").get("code").asText()).isEqualTo("not_found");
        assertThat(client.send("DELETE", "/v1/generate", new byte[0]).status()).isEqualTo(405);
    }

    @Test
    void metricsCountRequestsErrorsAndCharacters() throws Exception {
        client.post("/v1/generate", "{\"model\":\"other\",\"length\":77,\"seed\":1}");
        client.post("/v1/generate", "{\"model\":\"other\",\"length\":-1}");
        ServiceClient.Reply r = client.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body())
                .containsPattern("charlstm_requests_total\\{endpoint=\"generate\",status=\"200\"\\} \\d+")
                .containsPattern("charlstm_errors_total\\{code=\"400\",endpoint=\"generate\"\\} \\d+")
                .containsPattern("charlstm_generated_characters_total\\{model=\"other\"\\} \\d+")
                .contains("charlstm_request_duration_seconds_bucket{endpoint=\"generate\",le=\"0.005\"}")
                .contains("charlstm_active_streams")
                .contains("charlstm_open_event_streams");
    }
}

package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.testing.RunningService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The service over real HTTP on 127.0.0.1, with two models and a bearer token. */
class SamplingServiceTest {

    static final String TOKEN = "s3cret-token";

    @RegisterExtension
    static final RunningService service = RunningService.withPeakyModels("faq/model.zip", "other.zip")
            .folder("empty-dir").token(TOKEN);
    static final ServiceClient client = new ServiceClient(service, TOKEN);
    static Generator faq;

    @BeforeAll
    static void load() throws Exception {
        faq = Generator.load(service.model("faq/model.zip"));
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
            CountDownLatch ready = new CountDownLatch(clients);
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
    void jsonIsReadStrictlyOneValueEachKeyOnceValidUtf8() throws Exception {
        String[][] cases = {
            {"{\"model\":\"faq\",\"length\":5} x", "malformed JSON at line 1, column 29: Unrecognized token 'x'"},
            {"{\"model\":\"faq\",\"length\":5} 7", "more than one JSON value"},
            {"{\"model\":\"faq\",\"length\":5}{\"model\":\"faq\"}", "more than one JSON value"},
            {"{\"model\":\"nope\",\"model\":\"faq\",\"length\":5}", "duplicate field 'model'"},
            {"{\"model\":\"faq\",\"length\":5,\"length\":6}", "duplicate field 'length'"},
        };
        for (String[] c : cases) {
            ServiceClient.Reply r = client.post("/v1/generate", c[0]);
            assertThat(r.status()).as(c[0]).isEqualTo(400);
            assertThat(r.json().get("error").get("message").asText()).as(c[0]).containsIgnoringCase(c[1]);
        }
        assertThat(client.post("/v1/score", "{\"model\":\"faq\",\"text\":\"a\",\"text\":\"b\"}").status())
                .isEqualTo(400);
        // C0 AF is an overlong '/': a lenient decoder reads it as a slash
        byte[] overlong = {'{', '"', 'm', 'o', 'd', 'e', 'l', '"', ':', '"', 'f', 'a', 'q', '"', ',', '"', 'p', 'r',
            'i', 'm', 'e', '"', ':', '"', 'a', (byte) 0xC0, (byte) 0xAF, '"', '}'};
        ServiceClient.Reply r = client.postBytes("/v1/generate", overlong, "application/json");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("message").asText()).isEqualTo("the body is not valid UTF-8");
    }

    @Test
    void malformedJsonSaysWhereWithoutParserInternals() throws Exception {
        ServiceClient.Reply r = client.post("/v1/generate", "{\n  \"model\": \"faq\",\n  bad\n}");
        assertThat(r.status()).isEqualTo(400);
        String message = r.json().get("error").get("message").asText();
        assertThat(message).startsWith("malformed JSON at line 3, column 3: ")
                .doesNotContain("Source").doesNotContain("REDACTED").doesNotContain("Feature").doesNotContain("\n");
    }

    @Test
    void aPostMustBeDeclaredJsonSoACrossSiteFormCannotPostOne() throws Exception {
        byte[] body = "{\"model\":\"faq\",\"length\":5}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (String type : new String[] {null, "text/plain", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", "application/json; charset=latin1"}) {
            ServiceClient.Reply r = client.postBytes("/v1/generate", body, type);
            assertThat(r.status()).as(String.valueOf(type)).isEqualTo(415);
            assertThat(r.json().get("error").get("code").asText()).isEqualTo("unsupported_media_type");
        }
        assertThat(client.postBytes("/v1/generate", body, "application/json; charset=UTF-8").status()).isEqualTo(200);
    }

    @Test
    void aSeedMayBeSentAsAStringOfDigitsAndIsReportedAsOne() throws Exception {
        long seed = -6607258925611172708L; // past 2^53: JavaScript would round it to ...173000
        ServiceClient.Reply asString = client.post("/v1/generate",
                "{\"model\":\"faq\",\"length\":60,\"seed\":\"" + seed + "\"}");
        ServiceClient.Reply asNumber = client.post("/v1/generate", "{\"model\":\"faq\",\"length\":60,\"seed\":" + seed + "}");
        assertThat(asString.status()).isEqualTo(200);
        assertThat(asString.json().get("texts").get(0).asText()).isEqualTo(expected("Th", 60, seed))
                .isEqualTo(asNumber.json().get("texts").get(0).asText());
        assertThat(asString.json().get("options").get("seed").isTextual()).isTrue();
        assertThat(asString.json().get("options").get("seed").asText()).isEqualTo(String.valueOf(seed));
        // without a seed the service draws one, and reports it the same way
        ServiceClient.Reply drawn = client.post("/v1/generate", "{\"model\":\"faq\",\"length\":30}");
        String reported = drawn.json().get("options").get("seed").asText();
        assertThat(reported).matches("-?[0-9]+");
        assertThat(drawn.json().get("texts").get(0).asText()).isEqualTo(expected("Th", 30, Long.parseLong(reported)));
        for (String bad : new String[] {"\"12a\"", "\"\"", "\"99999999999999999999\"", "1.5", "true"}) {
            ServiceClient.Reply r = client.post("/v1/generate", "{\"model\":\"faq\",\"seed\":" + bad + "}");
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().get("error").get("message").asText()).as(bad).startsWith("seed must be an integer");
        }
        // stopped_by is a list, one entry per sample, "length" for a sample that ran its full length
        ServiceClient.Reply two = client.post("/v1/generate", "{\"model\":\"faq\",\"length\":20,\"count\":2,\"seed\":1}");
        assertThat(two.json().get("stopped_by").toString()).isEqualTo("[\"length\",\"length\"]");
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

package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.generate.Sample;
import dev.charlstm.testing.RunningService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /v1/completions} and the OpenAI shapes of the models list and errors, over real HTTP. */
class OpenAiCompletionsTest {

    static final String TOKEN = "openai-test-token";

    @RegisterExtension
    static final RunningService service = RunningService.withPeakyModels("faq/model.zip", "other.zip").token(TOKEN);
    static final ServiceClient client = new ServiceClient(service, TOKEN);
    static Generator faq;

    @BeforeAll
    static void load() throws Exception {
        faq = Generator.load(service.model("faq/model.zip"));
    }

    static List<Sample> library(String prime, int length, long seed, int count, double temperature, List<String> stop) {
        return faq.generate(GenerationOptions.builder().prime(prime).length(length).seed(seed).count(count)
                .temperature(temperature).stop(stop).build());
    }

    @Test
    void answersInOpenAisShapeWithTheLibrarysText() throws Exception {
        ServiceClient.Reply r = client.post("/v1/completions",
                "{\"model\":\"faq\",\"prompt\":\"Masks\",\"max_tokens\":60,\"seed\":42,\"temperature\":0.8,\"user\":\"u1\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode json = r.json();
        assertThat(json.get("id").asText()).startsWith("cmpl-");
        assertThat(json.get("object").asText()).isEqualTo("text_completion");
        assertThat(json.get("created").asLong()).isCloseTo(System.currentTimeMillis() / 1000, within(600L));
        assertThat(json.get("model").asText()).isEqualTo("faq");
        JsonNode choice = json.get("choices").get(0);
        assertThat(choice.get("text").asText()).isEqualTo(library("Masks", 60, 42, 1, 0.8, List.of()).get(0).text())
                .hasSize(60);
        assertThat(choice.get("index").asInt()).isZero();
        assertThat(choice.has("logprobs")).isTrue();
        assertThat(choice.get("logprobs").isNull()).isTrue();
        assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
        JsonNode usage = json.get("usage");
        assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(5);
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(60);
        assertThat(usage.get("total_tokens").asInt()).isEqualTo(65);
    }

    @Test
    void aSeededRequestGivesTheSameTextThroughEitherApi() throws Exception {
        for (long seed : new long[] {1, 7, 123}) {
            JsonNode generate = client.post("/v1/generate", "{\"model\":\"faq\",\"prime\":\"Th\",\"length\":150,"
                    + "\"seed\":" + seed + ",\"temperature\":0.9,\"top_k\":20,\"top_p\":0.95,\"count\":3}").json();
            JsonNode completion = client.post("/v1/completions", "{\"model\":\"faq\",\"prompt\":\"Th\",\"max_tokens\":150,"
                    + "\"seed\":" + seed + ",\"temperature\":0.9,\"top_k\":20,\"top_p\":0.95,\"n\":3}").json();
            for (int i = 0; i < 3; i++) {
                assertThat(completion.get("choices").get(i).get("text").asText()).as("seed %d choice %d", seed, i)
                        .isEqualTo(generate.get("texts").get(i).asText());
            }
        }
    }

    @Test
    void promptArraysGiveOneChoiceSetPerPromptAndStopsEndChoices() throws Exception {
        JsonNode json = client.post("/v1/completions", "{\"model\":\"faq\",\"prompt\":[\"Masks\",\"Where\"],"
                + "\"max_tokens\":200,\"seed\":5,\"n\":2,\"stop\":[\"e\",\"zz\"]}").json();
        JsonNode choices = json.get("choices");
        assertThat(choices).hasSize(4);
        List<Sample> masks = library("Masks", 200, 5, 2, 1.0, List.of("e", "zz"));
        List<Sample> where = library("Where", 200, 5, 2, 1.0, List.of("e", "zz"));
        List<Sample> expected = new ArrayList<>(masks);
        expected.addAll(where);
        for (int i = 0; i < 4; i++) {
            assertThat(choices.get(i).get("index").asInt()).isEqualTo(i);
            assertThat(choices.get(i).get("text").asText()).isEqualTo(expected.get(i).text()).doesNotContain("e");
            assertThat(choices.get(i).get("finish_reason").asText())
                    .isEqualTo(expected.get(i).stoppedBy() != null ? "stop" : "length");
        }
        assertThat(expected).anyMatch(s -> s.stoppedBy() != null); // the peaky model writes an 'e' within 200
        assertThat(json.get("usage").get("prompt_tokens").asInt()).isEqualTo(10);
        assertThat(json.get("usage").get("completion_tokens").asInt())
                .isEqualTo(expected.stream().mapToInt(s -> s.text().length()).sum());
        JsonNode single = client.post("/v1/completions", "{\"model\":\"faq\",\"prompt\":\"Masks\",\"max_tokens\":200,"
                + "\"seed\":5,\"stop\":\"e\"}").json();
        assertThat(single.get("choices").get(0).get("text").asText())
                .isEqualTo(library("Masks", 200, 5, 1, 1.0, List.of("e")).get(0).text());
    }

    @Test
    void echoPutsThePromptAsTheModelReadItInFront() throws Exception {
        JsonNode json = client.post("/v1/completions", "{\"model\":\"faq\",\"prompt\":\"Caf\\u00e9 \\u201cmasks\\u201d\","
                + "\"max_tokens\":20,\"seed\":3,\"echo\":true}").json();
        Sample s = library("Caf\u00e9 \u201cmasks\u201d", 20, 3, 1, 1.0, List.of()).get(0);
        assertThat(json.get("choices").get(0).get("text").asText()).isEqualTo("Cafe \"masks\"" + s.text());
        assertThat(json.get("usage").get("prompt_tokens").asInt()).isEqualTo(12);
        ServiceClient.Reply stream = client.post("/v1/completions", "{\"model\":\"faq\",\"prompt\":\"Caf\\u00e9\","
                + "\"max_tokens\":20,\"seed\":3,\"echo\":true,\"stream\":true}");
        StringBuilder text = new StringBuilder();
        for (String d : OpenAiStreams.dataLines(stream.body())) {
            if (!d.equals("[DONE]")) {
                text.append(ServiceClient.JSON.readTree(d).get("choices").get(0).get("text").asText());
            }
        }
        assertThat(text.toString()).isEqualTo("Cafe" + library("Caf\u00e9", 20, 3, 1, 1.0, List.of()).get(0).text());
    }

    @Test
    void logprobsAreTheModelsOwnPerCharacterProbabilities() throws Exception {
        String prompt = "Masks are";
        JsonNode choice = client.post("/v1/completions", "{\"model\":\"faq\",\"prompt\":\"" + prompt + "\","
                + "\"max_tokens\":25,\"seed\":11,\"temperature\":0.7,\"logprobs\":3}").json().get("choices").get(0);
        String text = choice.get("text").asText();
        assertThat(text).isEqualTo(library(prompt, 25, 11, 1, 0.7, List.of()).get(0).text());
        JsonNode lp = choice.get("logprobs");
        String vocabulary = faq.info().vocabulary();
        for (int j = 0; j < text.length(); j++) {
            double[] probs = faq.nextCharProbabilities(prompt + text.substring(0, j));
            char c = text.charAt(j);
            assertThat(lp.get("tokens").get(j).asText()).isEqualTo(String.valueOf(c));
            assertThat(lp.get("token_logprobs").get(j).asDouble()).as("position %d", j)
                    .isCloseTo(Math.log(probs[vocabulary.indexOf(c)]), within(1e-5));
            assertThat(lp.get("text_offset").get(j).asInt()).isEqualTo(prompt.length() + j);
            List<Integer> best = IntStream.range(0, probs.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -probs[i])).limit(3).toList();
            JsonNode top = lp.get("top_logprobs").get(j);
            assertThat(top.size()).isEqualTo(3);
            List<String> keys = new ArrayList<>();
            top.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).containsExactlyElementsOf(best.stream().map(i -> String.valueOf(vocabulary.charAt(i))).toList());
            for (int i : best) {
                assertThat(top.get(String.valueOf(vocabulary.charAt(i))).asDouble()).isCloseTo(Math.log(probs[i]), within(1e-5));
            }
        }
        assertThat(lp.get("tokens")).hasSize(text.length());
    }

    @Test
    void logprobsStopWhereAStopStringCutsTheText() throws Exception {
        JsonNode choice = client.post("/v1/completions", "{\"model\":\"faq\",\"prompt\":\"Th\",\"max_tokens\":300,"
                + "\"seed\":2,\"stop\":\"e\",\"logprobs\":0}").json().get("choices").get(0);
        assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
        assertThat(choice.get("logprobs").get("tokens")).hasSize(choice.get("text").asText().length());
        assertThat(choice.get("logprobs").get("top_logprobs").get(0).size()).isZero();
    }

    @Test
    void streamsOpenAiChunksThatAddUpToTheSameCompletion() throws Exception {
        String request = "\"model\":\"faq\",\"prompt\":[\"Masks\",\"Th\"],\"max_tokens\":80,\"seed\":9,\"n\":2,"
                + "\"stop\":\"zq\",\"logprobs\":1";
        JsonNode whole = client.post("/v1/completions", "{" + request + "}").json();
        ServiceClient.Reply r = client.post("/v1/completions", "{" + request
                + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/event-stream");
        List<String> data = OpenAiStreams.dataLines(r.body());
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        StringBuilder[] texts = {new StringBuilder(), new StringBuilder(), new StringBuilder(), new StringBuilder()};
        List<List<String>> tokens = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        String[] finish = new String[4];
        String id = null;
        JsonNode usage = null;
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode chunk = ServiceClient.JSON.readTree(d);
            id = id == null ? chunk.get("id").asText() : id;
            assertThat(chunk.get("id").asText()).isEqualTo(id);
            assertThat(chunk.get("object").asText()).isEqualTo("text_completion");
            assertThat(chunk.get("model").asText()).isEqualTo("faq");
            if (chunk.has("usage")) {
                assertThat(chunk.get("choices")).isEmpty();
                usage = chunk.get("usage");
                continue;
            }
            assertThat(usage).as("usage comes last").isNull();
            JsonNode c = chunk.get("choices").get(0);
            int i = c.get("index").asInt();
            assertThat(finish[i]).as("nothing after choice %d's finish", i).isNull();
            texts[i].append(c.get("text").asText());
            c.get("logprobs").get("tokens").forEach(t -> tokens.get(i).add(t.asText()));
            finish[i] = c.get("finish_reason").isNull() ? null : c.get("finish_reason").asText();
        }
        for (int i = 0; i < 4; i++) {
            JsonNode expected = whole.get("choices").get(i);
            assertThat(texts[i].toString()).isEqualTo(expected.get("text").asText());
            assertThat(String.join("", tokens.get(i))).isEqualTo(expected.get("text").asText());
            assertThat(finish[i]).isEqualTo(expected.get("finish_reason").asText());
        }
        assertThat(usage).isEqualTo(whole.get("usage"));
        assertThat(data.size()).as("a chunk per character, not one at the end").isGreaterThan(80);
    }

    @Test
    void badRequestsAreOpenAiErrorsNamingTheField() throws Exception {
        String[][] cases = {
            {"{bad", "400", null, "malformed JSON"},
            {"[1]", "400", null, "must be a JSON object"},
            {"{\"model\":\"faq\",\"prompt\":\"x\"}{}", "400", null, "malformed JSON"},
            {"", "400", null, "body is empty"},
            {"{\"model\":\"faq\"}", "400", "prompt", "'prompt' is required"},
            {"{\"model\":\"faq\",\"prompt\":\"\"}", "400", "prompt", "at least one character"},
            {"{\"model\":\"faq\",\"prompt\":[]}", "400", "prompt", "1 to 16 strings"},
            {"{\"model\":\"faq\",\"prompt\":[1,2,3]}", "400", "prompt", "token ids is not supported"},
            {"{\"model\":\"faq\",\"prompt\":{\"a\":1}}", "400", "prompt", "a string or an array of strings"},
            {"{\"model\":\"faq\",\"prompt\":\"snow \\u2603\"}", "400", "prompt", "position 5"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"max_tokens\":10001}", "400", "max_tokens", "[0, 10000]"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"max_tokens\":2.5}", "400", "max_tokens", "must be an integer"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"max_tokens\":\"9\"}", "400", "max_tokens", "must be an integer"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"seed\":123456789012345678901234567890}", "400", "seed", "out of range"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"temperature\":-1}", "400", "temperature", "[0, 100]"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"top_p\":0}", "400", "top_p", "(0, 1]"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"top_k\":-2}", "400", "top_k", "[0, "},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"n\":17}", "400", "n", "[1, 16]"},
            {"{\"model\":\"faq\",\"prompt\":[\"a\",\"b\",\"c\"],\"n\":6}", "400", "n", "prompts × n must be at most 16"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"stop\":[\"\"]}", "400", "stop", "1 to 64 characters"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"stop\":[\"a\",5]}", "400", "stop", "string or an array"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"stop\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]}", "400", "stop", "at most 8"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"logprobs\":6}", "400", "logprobs", "[0, 5]"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"logprobs\":true}", "400", "logprobs", "must be an integer"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"logprobs\":1,\"echo\":true}", "400", "echo", "not supported"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"stream\":\"yes\"}", "400", "stream", "true or false"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"stream_options\":{\"x\":1}}", "400", "stream_options", "unknown field"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"presence_penalty\":0.5}", "400", "presence_penalty", "not supported"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"frequency_penalty\":-1}", "400", "frequency_penalty", "not supported"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"logit_bias\":{\"50256\":-100}}", "400", "logit_bias", "not supported"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"suffix\":\"end\"}", "400", "suffix", "not supported"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"best_of\":3}", "400", "best_of", "not supported"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"messages\":[]}", "400", "messages", "unknown field 'messages'"},
            {"{\"model\":\"faq\",\"prompt\":\"x\",\"user\":5}", "400", "user", "must be a string"},
            {"{\"prompt\":\"x\"}", "400", "model", "'model' is required"},
            {"{\"model\":\"gpt-4\",\"prompt\":\"x\"}", "404", "model", "unknown model 'gpt-4'"},
            {"{\"model\":\"../faq\",\"prompt\":\"x\"}", "404", "model", "unknown model"},
        };
        for (String[] c : cases) {
            ServiceClient.Reply r = client.post("/v1/completions", c[0]);
            assertThat(r.status()).as(c[0]).isEqualTo(Integer.parseInt(c[1]));
            JsonNode error = r.json().get("error");
            assertThat(error.get("message").asText()).as(c[0]).contains(c[3]);
            assertThat(error.get("type").asText()).as(c[0])
                    .isEqualTo(c[1].equals("404") ? "not_found_error" : "invalid_request_error");
            assertThat(error.has("param")).isTrue();
            assertThat(error.get("param").isNull() ? null : error.get("param").asText()).as(c[0]).isEqualTo(c[2]);
            assertThat(error.get("code").asText()).isNotBlank();
        }
        // The neutral values of what the model cannot do are accepted, since they change nothing.
        ServiceClient.Reply neutral = client.post("/v1/completions", "{\"model\":\"faq\",\"prompt\":\"Th\",\"seed\":4,"
                + "\"max_tokens\":30,\"presence_penalty\":0,\"frequency_penalty\":0.0,\"logit_bias\":{},\"suffix\":\"\","
                + "\"best_of\":1,\"logprobs\":null,\"stop\":null,\"echo\":false}");
        assertThat(neutral.status()).isEqualTo(200);
        assertThat(neutral.json().get("choices").get(0).get("text").asText())
                .isEqualTo(library("Th", 30, 4, 1, 1.0, List.of()).get(0).text());
        ServiceClient.Reply big = client.post("/v1/completions", "{\"prompt\":\"" + "a".repeat(300_000) + "\"}");
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.json().get("error").get("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void metricsCountCompletions() throws Exception {
        client.post("/v1/completions", "{\"model\":\"other\",\"prompt\":\"Th\",\"max_tokens\":33}");
        client.post("/v1/completions", "{\"model\":\"other\",\"prompt\":\"Th\",\"max_tokens\":-1}");
        assertThat(client.get("/metrics").body())
                .containsPattern("charlstm_requests_total\\{endpoint=\"completions\",status=\"200\"\\} \\d+")
                .containsPattern("charlstm_errors_total\\{code=\"400\",endpoint=\"completions\"\\} \\d+")
                .containsPattern("charlstm_generated_characters_total\\{model=\"other\"\\} \\d+");
    }

    @Test
    void chatCompletionsPointToCompletions() throws Exception {
        ServiceClient.Reply r = client.post("/v1/chat/completions",
                "{\"model\":\"faq\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertThat(r.status()).isEqualTo(404);
        JsonNode error = r.json().get("error");
        assertThat(error.get("message").asText()).contains("/v1/completions").contains("no chat format");
        assertThat(error.get("type").asText()).isEqualTo("not_found_error");
        assertThat(error.get("code").asText()).isEqualTo("unsupported_endpoint");
    }

    @Test
    void theTokenIsABearerTokenAndItsErrorsAreOpenAiErrors() throws Exception {
        for (String token : new String[] {null, "wrong", TOKEN + "x"}) {
            ServiceClient.Reply r = client.withToken(token).post("/v1/completions", "{\"model\":\"faq\",\"prompt\":\"x\"}");
            assertThat(r.status()).isEqualTo(401);
            JsonNode error = r.json().get("error");
            assertThat(error.get("type").asText()).isEqualTo("authentication_error");
            assertThat(error.get("code").asText()).isEqualTo("unauthorized");
            assertThat(error.has("param")).isTrue();
            assertThat(client.withToken(token).get("/v1/models/faq").status()).isEqualTo(401);
        }
        assertThat(client.post("/v1/completions", "{\"model\":\"faq\",\"prompt\":\"x\"}").status()).isEqualTo(200);
    }

    @Test
    void modelsAreListedInOpenAisShapeKeepingCharlstmsFields() throws Exception {
        JsonNode list = client.get("/v1/models").json();
        assertThat(list.get("object").asText()).isEqualTo("list");
        JsonNode data = list.get("data");
        assertThat(data).hasSize(2);
        assertThat(list.get("models")).isEqualTo(data);
        JsonNode first = data.get(0);
        assertThat(first.get("id").asText()).isEqualTo("faq");
        assertThat(first.get("object").asText()).isEqualTo("model");
        assertThat(first.get("created").asLong()).isEqualTo(java.time.Instant.parse("2026-11-30T00:00:00Z").getEpochSecond());
        assertThat(first.get("owned_by").asText()).isEqualTo("charlstm");
        assertThat(first.get("name").asText()).isEqualTo("faq");
        assertThat(first.get("layers").asInt()).isEqualTo(2);
        assertThat(first.get("vocabulary_size").asInt()).isEqualTo(100);
        assertThat(data.get(1).get("id").asText()).isEqualTo("other");
        assertThat(client.get("/v1/models/other").json()).isEqualTo(data.get(1));
        ServiceClient.Reply missing = client.get("/v1/models/gpt-4");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("error").get("code").asText()).isEqualTo("unknown_model");
    }
}

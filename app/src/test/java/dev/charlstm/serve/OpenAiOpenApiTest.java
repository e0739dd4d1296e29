package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.charlstm.testing.Fixtures;
import dev.charlstm.testing.RunningService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /openapi.json} against the service it describes: every route answers as documented. */
class OpenAiOpenApiTest {

    static final String TOKEN = "spec-token";

    @RegisterExtension
    static final RunningService service = RunningService.withPeakyModels("faq/model.zip").token(TOKEN);
    static final ServiceClient client = new ServiceClient(service, TOKEN);
    static JsonNode spec;
    static OpenAiSchemaCheck schemas;

    @BeforeAll
    static void readSpec() throws Exception {
        ServiceClient.Reply r = client.withToken(null).get("/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        spec = r.json();
        schemas = new OpenAiSchemaCheck(spec);
    }

    /** Each operation of the document: method, path with its example parameters, the operation. */
    record Operation(String method, String path, JsonNode operation) {}

    static List<Operation> operations() {
        List<Operation> ops = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = spec.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> p = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = p.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> m = methods.next();
                String path = p.getKey();
                for (JsonNode param : m.getValue().path("parameters")) {
                    path = path.replace("{" + param.get("name").asText() + "}", param.get("example").asText());
                }
                ops.add(new Operation(m.getKey().toUpperCase(), path, m.getValue()));
            }
        }
        return ops;
    }

    @Test
    void everyDocumentedRouteAnswersItsExampleAsDocumented() throws Exception {
        assertThat(spec.get("openapi").asText()).startsWith("3.");
        List<Operation> ops = operations();
        assertThat(ops).hasSizeGreaterThanOrEqualTo(11);
        for (Operation op : ops) {
            JsonNode example = op.operation().path("requestBody").path("content").path("application/json").path("example");
            ServiceClient.Reply r = op.method().equals("GET") ? client.get(op.path())
                    : client.post(op.path(), example.isMissingNode() ? "{}" : example.toString());
            assertDocumented(op, r);
        }
    }

    @Test
    void requestExamplesFollowTheirOwnSchemas() {
        for (Operation op : operations()) {
            JsonNode media = op.operation().path("requestBody").path("content").path("application/json");
            if (media.has("example") && media.has("schema")) {
                assertThat(schemas.problems(media.get("schema"), media.get("example"))).as(op.path()).isEmpty();
            }
        }
    }

    @Test
    void errorsAndStreamsAreAsDocumented() throws Exception {
        for (Operation op : operations()) {
            boolean open = op.operation().has("security") && op.operation().get("security").isEmpty();
            ServiceClient anonymous = client.withToken(null);
            ServiceClient.Reply r = op.method().equals("GET") ? anonymous.get(op.path()) : anonymous.post(op.path(), "{}");
            if (!open) {
                assertThat(r.status()).as("%s %s without a token", op.method(), op.path()).isEqualTo(401);
            }
            assertDocumented(op, r);
            if (op.method().equals("POST") && op.operation().path("responses").has("400")) {
                assertDocumented(op, client.post(op.path(), "{\"model\":\"faq\",\"no_such_field\":1}"));
                assertDocumented(op, client.post(op.path(), "{bad json"));
            }
        }
        ServiceClient.Reply missing = client.get("/v1/models/none");
        assertDocumented(find("GET", "/v1/models/faq"), missing);
        assertThat(missing.status()).isEqualTo(404);

        ServiceClient.Reply stream = client.post("/v1/completions",
                "{\"model\":\"faq\",\"prompt\":[\"Th\",\"Masks\"],\"max_tokens\":20,\"n\":2,\"logprobs\":1,\"stream\":true,"
                        + "\"stream_options\":{\"include_usage\":true}}");
        assertDocumented(find("POST", "/v1/completions"), stream);
        List<String> data = OpenAiStreams.dataLines(stream.body());
        assertThat(data.remove(data.size() - 1)).isEqualTo("[DONE]");
        for (String chunk : data) {
            assertThat(schemas.problems(schemas.resolve("#/components/schemas/CompletionChunk"),
                    ServiceClient.JSON.readTree(chunk))).as(chunk).isEmpty();
        }
        ServiceClient.Reply generated = client.post("/v1/generate/stream", "{\"model\":\"faq\",\"length\":20}");
        List<String[]> events = generated.events();
        assertThat(schemas.problems(schemas.resolve("#/components/schemas/GenerateResponse"),
                ServiceClient.JSON.readTree(events.get(events.size() - 1)[1]))).isEmpty();
    }

    @Test
    void everyEndpointTheReadmeListsIsInTheDocument() throws Exception {
        // The README's short table and docs/service.md's full one.
        for (Path doc : List.of(Fixtures.PROJECT.resolve("README.md"), Fixtures.PROJECT.resolve("docs/service.md"))) {
            Matcher m = Pattern.compile("^\\| `(GET|POST) (/[^` ]*)` \\|", Pattern.MULTILINE).matcher(Files.readString(doc));
            int listed = 0;
            while (m.find()) {
                listed++;
                String path = m.group(2).replaceAll("\\{[^}]+}", "{id}");
                assertThat(spec.get("paths").has(path)).as("%s in /openapi.json (%s)", path, doc).isTrue();
                assertThat(spec.get("paths").get(path).has(m.group(1).toLowerCase()))
                        .as("%s %s (%s)", m.group(1), path, doc).isTrue();
            }
            assertThat(listed).as("endpoints listed in %s", doc).isGreaterThanOrEqualTo(10);
        }
    }

    private static Operation find(String method, String path) {
        return operations().stream().filter(o -> o.method().equals(method) && o.path().equals(path)).findFirst()
                .orElseThrow();
    }

    /** The status is one the operation documents, with its content type and, for JSON, its schema. */
    private static void assertDocumented(Operation op, ServiceClient.Reply r) {
        String what = op.method() + " " + op.path() + " → " + r.status() + " " + r.body();
        JsonNode response = op.operation().path("responses").path(String.valueOf(r.status()));
        assertThat(response.isMissingNode()).as("status documented: %s", what).isFalse();
        String type = r.contentType().split(";")[0].trim();
        JsonNode media = response.path("content").path(type);
        assertThat(media.isMissingNode()).as("content type %s documented: %s", type, what).isFalse();
        if (type.equals("application/json")) {
            assertThat(schemas.problems(media.get("schema"), r.json())).as(what).isEmpty();
        }
    }
}

package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.testing.RunningService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The official {@code openai} npm package against a service started here. {@code .ci/run} installs
 * Node and the package (pinned in {@code src/test/node/package.json}); when either is missing this
 * test fails and says how to install it, because a skipped client test proves nothing.
 */
class OpenAiNodeClientTest {

    static final Path NODE_DIR = Path.of("src", "test", "node");
    static final String TOKEN = "node-token";

    @RegisterExtension
    static final RunningService service = RunningService.withPeakyModels("faq/model.zip").token(TOKEN);
    static String expected;

    @BeforeAll
    static void load() throws Exception {
        expected = Generator.load(service.model("faq/model.zip")).generate(GenerationOptions.builder()
                .prime("Masks are").length(40).temperature(0.8).seed(7L).build()).get(0).text();
    }

    @Test
    void theOfficialClientsAssertionsPass() throws Exception {
        Result r = node("--test", "--test-reporter=spec", "openai-client.test.mjs");
        assertThat(r.exit()).as("node --test output:%n%s", r.output()).isZero();
        assertThat(r.output()).contains("pass 6").contains("fail 0");
    }

    @Test
    void theReadmeExamplePrintsTheTextPlainAndStreamed() throws Exception {
        Result r = node("readme-example.mjs");
        assertThat(r.exit()).as("output:%n%s", r.output()).isZero();
        assertThat(r.output()).isEqualTo(expected + "\n" + expected + "\n");
    }

    record Result(int exit, String output) {}

    /** Runs node in src/test/node with the service's address, its token and the expected text. */
    static Result node(String... args) throws IOException, InterruptedException {
        requireClient();
        List<String> command = new java.util.ArrayList<>(List.of("node"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(NODE_DIR.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("CHARLSTM_URL", "http://127.0.0.1:" + service.port() + "/v1");
        env.put("CHARLSTM_TOKEN", TOKEN);
        env.put("EXPECTED_TEXT", expected);
        env.remove("OPENAI_BASE_URL"); // the script passes baseURL; keep the machine's settings out of it
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("node did not finish in 120 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static void requireClient() throws InterruptedException {
        try {
            Process v = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            v.getInputStream().readAllBytes();
            v.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new AssertionError("Node.js is not installed: run .ci/run, or apt-get install nodejs npm", e);
        }
        if (!Files.isRegularFile(NODE_DIR.resolve("node_modules/openai/package.json"))) {
            throw new AssertionError("the openai npm package is missing: run .ci/run, or npm ci --prefix " + NODE_DIR);
        }
    }
}

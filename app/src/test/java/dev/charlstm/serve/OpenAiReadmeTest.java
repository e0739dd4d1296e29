package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.testing.Fixtures;
import dev.charlstm.testing.TinyModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAI client examples users copy are the ones that run: the curl example in README.md and
 * docs/service.md, and the LangChain4j and JavaScript examples in docs/service.md.
 */
class OpenAiReadmeTest {

    static String readme() throws Exception {
        return Files.readString(Fixtures.PROJECT.resolve("README.md"));
    }

    /** Where the README sends readers for the clients: "Use it from OpenAI clients". */
    static String serviceDoc() throws Exception {
        return Files.readString(Fixtures.PROJECT.resolve("docs").resolve("service.md"));
    }

    @Test
    void theCurlExampleAnswersWithTheLibrarysText(@TempDir Path dir) throws Exception {
        Matcher m = Pattern.compile("```\n(curl -s http://127\\.0\\.0\\.1:8080/v1/completions .*?)\n```", Pattern.DOTALL)
                .matcher(readme());
        assertThat(m.find()).as("the curl example in README.md").isTrue();
        assertThat(serviceDoc()).as("docs/service.md repeats the README's curl example")
                .contains("```\n" + m.group(1) + "\n```");
        TinyModels.savePeaky(dir.resolve("faq").resolve("model.zip"));
        SamplingService service = SamplingService.start(new SamplingService.Config(dir, null, "127.0.0.1", 0, "curl-token"));
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                    m.group(1).replace("127.0.0.1:8080", "127.0.0.1:" + service.port()));
            pb.environment().put("CHARLSTM_TOKEN", "curl-token");
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("curl (installed by .ci/run): %s", out).isZero();
            JsonNode json = ServiceClient.JSON.readTree(out);
            String expected = Generator.load(dir.resolve("faq").resolve("model.zip")).generate(GenerationOptions.builder()
                    .prime("Masks are").length(40).temperature(0.8).seed(7L).build()).get(0).text();
            assertThat(json.get("choices").get(0).get("text").asText()).isEqualTo(expected);
            assertThat(json.get("usage").get("completion_tokens").asInt()).isEqualTo(40);
        } finally {
            service.stop(5);
        }
    }

    @Test
    void theNodeExampleIsTheScriptOpenAiNodeClientTestRuns() throws Exception {
        String script = Files.readString(OpenAiNodeClientTest.NODE_DIR.resolve("readme-example.mjs"));
        assertThat(serviceDoc()).contains("```js\n" + script + "```");
    }

    @Test
    void theLangChain4jExampleIsTheCodeOpenAiLangChain4jTestRuns() throws Exception {
        String test = Files.readString(Path.of("src/test/java/dev/charlstm/serve/OpenAiLangChain4jTest.java"));
        Matcher m = Pattern.compile("// README example start\n(.*?)\n\\s*// README example end", Pattern.DOTALL).matcher(test);
        assertThat(m.find()).isTrue();
        String code = m.group(1).stripIndent();
        assertThat(serviceDoc()).contains("```java\n" + code + "\n```");
    }
}

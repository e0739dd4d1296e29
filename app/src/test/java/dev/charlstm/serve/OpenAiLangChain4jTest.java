package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.generate.Sample;
import dev.charlstm.testing.RunningService;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.catalog.ModelDescription;
import dev.langchain4j.model.language.LanguageModel;
import dev.langchain4j.model.language.StreamingLanguageModel;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiModelCatalog;
import dev.langchain4j.model.openai.OpenAiStreamingLanguageModel;
import dev.langchain4j.model.openai.internal.OpenAiClient;
import dev.langchain4j.model.openai.internal.completion.CompletionChoice;
import dev.langchain4j.model.openai.internal.completion.CompletionRequest;
import dev.langchain4j.model.openai.internal.completion.CompletionResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * LangChain4j's OpenAI module, unmodified, against a service started on 127.0.0.1: the language
 * models as an application would build them, and the module's own client for the fields those
 * models do not expose (stop strings, max_tokens, n, logprobs).
 */
class OpenAiLangChain4jTest {

    static final String TOKEN = "lc4j-token";

    // The same model (its weights come from a fixed seed) behind a token and without one.
    @RegisterExtension
    static final RunningService secured = RunningService.withPeakyModels("faq/model.zip").token(TOKEN);
    @RegisterExtension
    static final RunningService open = RunningService.withPeakyModels("faq/model.zip");
    static Generator faq;

    @BeforeAll
    static void load() throws Exception {
        faq = Generator.load(secured.model("faq/model.zip"));
    }

    static String baseUrl(RunningService service) {
        return service.baseUrl() + "/v1";
    }

    /** What the library writes greedily; temperature 0 is what LangChain4j can ask for without a seed. */
    static Sample greedy(String prompt, int length, List<String> stop) {
        return faq.generate(GenerationOptions.builder().prime(prompt).length(length).temperature(0).stop(stop).build())
                .get(0);
    }

    @Test
    void languageModelGeneratesWithAndWithoutAToken() {
        for (RunningService service : List.of(secured, open)) {
            String baseUrl = baseUrl(service);
            String token = service == secured ? TOKEN : "unused";
            // README example start
            LanguageModel model = OpenAiLanguageModel.builder()
                    .baseUrl(baseUrl)             // "http://127.0.0.1:8080/v1"
                    .apiKey(token)                // the --token value, or any text without one
                    .modelName("faq")
                    .temperature(0.0)
                    .build();
            Response<String> response = model.generate("Masks are");
            // README example end
            // OpenAI's default max_tokens is 16, and LangChain4j's language model sends none.
            assertThat(response.content()).isEqualTo(greedy("Masks are", 16, List.of()).text()).hasSize(16);
            assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(9);
            assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(16);
            assertThat(response.tokenUsage().totalTokenCount()).isEqualTo(25);
        }
    }

    @Test
    void streamingLanguageModelStreamsTheSameTextWithAndWithoutAToken() throws Exception {
        for (RunningService service : List.of(secured, open)) {
            streamsTheSameText(OpenAiStreamingLanguageModel.builder().baseUrl(baseUrl(service))
                    .apiKey(service == secured ? TOKEN : "unused").modelName("faq").temperature(0.0).build());
        }
    }

    private static void streamsTheSameText(StreamingLanguageModel model) throws Exception {
        StringBuilder parts = new StringBuilder();
        List<String> pieces = new CopyOnWriteArrayList<>();
        CompletableFuture<Response<String>> done = new CompletableFuture<>();
        model.generate("Where can I", new StreamingResponseHandler<>() {
            @Override
            public void onNext(String token) {
                pieces.add(token);
                synchronized (parts) {
                    parts.append(token);
                }
            }

            @Override
            public void onComplete(Response<String> response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        Response<String> response = done.get(60, TimeUnit.SECONDS);
        String expected = greedy("Where can I", 16, List.of()).text();
        assertThat(parts.toString()).isEqualTo(expected);
        assertThat(pieces).hasSizeGreaterThan(1); // streamed as generated, not as one block
        assertThat(response.content()).isEqualTo(expected);
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(16); // from the include_usage chunk
    }

    @Test
    void theModulesClientStopsAsAskedAndReadsLogprobs() {
        OpenAiClient client = OpenAiClient.builder().baseUrl(baseUrl(secured)).apiKey(TOKEN)
                .readTimeout(Duration.ofSeconds(60)).build();
        // A stop string the greedy text is known to reach: the two characters at position 10.
        String free = greedy("Th", 300, List.of()).text();
        List<String> stops = List.of("\u0001", free.substring(10, 12));
        CompletionResponse response = client.completion(CompletionRequest.builder().model("faq").prompt("Th")
                .maxTokens(300).temperature(0.0).stop(stops).n(2).logprobs(2).build()).execute();
        Sample expected = greedy("Th", 300, stops);
        assertThat(expected.stoppedBy()).isEqualTo(stops.get(1));
        assertThat(expected.text()).isEqualTo(free.substring(0, free.indexOf(stops.get(1))));
        assertThat(response.choices()).hasSize(2);
        for (CompletionChoice choice : response.choices()) {
            assertThat(choice.text()).isEqualTo(expected.text());
            assertThat(choice.finishReason()).isEqualTo("stop");
            assertThat(choice.logprobs().tokens()).hasSize(expected.text().length());
            assertThat(choice.logprobs().topLogprobs()).allSatisfy(top -> assertThat(top).hasSize(2));
            assertThat(choice.logprobs().tokenLogprobs()).allSatisfy(lp -> assertThat(lp).isNegative());
        }
        assertThat(response.usage().completionTokens()).isEqualTo(2 * expected.text().length());

        StringBuilder streamed = new StringBuilder();
        CompletableFuture<Void> done = new CompletableFuture<>();
        client.completion(CompletionRequest.builder().model("faq").prompt("Th").maxTokens(300).temperature(0.0)
                        .stop(stops).stream(true).build())
                .onPartialResponse(chunk -> streamed.append(chunk.text() == null ? "" : chunk.text()))
                .onComplete(() -> done.complete(null))
                .onError(done::completeExceptionally)
                .execute();
        done.join();
        assertThat(streamed.toString()).isEqualTo(expected.text());
    }

    @Test
    void aWrongTokenIsAnAuthenticationError() {
        LanguageModel model = OpenAiLanguageModel.builder().baseUrl(baseUrl(secured)).apiKey("wrong")
                .modelName("faq").maxRetries(0).build();
        assertThatThrownBy(() -> model.generate("Th")).isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("a valid bearer token is required");
    }

    @Test
    void theModelCatalogListsTheServedModels() {
        List<ModelDescription> models = OpenAiModelCatalog.builder().baseUrl(baseUrl(secured)).apiKey(TOKEN).build()
                .listModels();
        assertThat(models).extracting(ModelDescription::name).containsExactly("faq");
        assertThat(models.get(0).owner()).isEqualTo("charlstm");
    }
}

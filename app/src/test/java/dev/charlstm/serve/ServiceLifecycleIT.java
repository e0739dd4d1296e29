package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charlstm.model.ModelFile;
import dev.charlstm.testing.TinyModels;
import dev.charlstm.train.TrainConfig;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admission limits and graceful shutdown, with a model large enough that a request takes a while. */
class ServiceLifecycleIT {

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void slowModel() throws Exception {
        TrainConfig config = TinyModels.config().with("hidden_size", 256).with("embedding_size", 64);
        MultiLayerNetwork net = TinyModels.network(config);
        model = dir.resolve("slow").resolve("model.zip");
        ModelFile.save(model, net, TinyModels.metadata(config));
    }

    private static SamplingService start(int maxBatch, int maxQueued) throws Exception {
        ServiceLimits d = ServiceLimits.defaults();
        return SamplingService.start(new SamplingService.Config(null, model, "127.0.0.1", 0, null),
                new ServiceLimits(d.maxBodyBytes(), d.maxLength(), d.maxCount(), d.maxPrimeChars(), d.maxStops(),
                        d.maxScoreChars(), maxBatch, maxQueued));
    }

    @Test
    void aFullServiceAnswers429WithRetryAfterInsteadOfHanging() throws Exception {
        SamplingService service = start(1, 1);
        try {
            ServiceClient client = new ServiceClient(service.port(), null);
            CompletableFuture<ServiceClient.Reply> longOne = CompletableFuture.supplyAsync(() -> call(() ->
                    client.post("/v1/generate", "{\"length\":10000,\"seed\":1}")));
            awaitPending(client, 1);
            ServiceClient.Reply refused = client.post("/v1/generate", "{\"length\":10,\"seed\":2}");
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.retryAfter()).isEqualTo("1");
            assertThat(refused.json().get("error").get("code").asText()).isEqualTo("busy");
            assertThat(longOne.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(client.post("/v1/generate", "{\"length\":10,\"seed\":2}").status()).isEqualTo(200);
        } finally {
            service.stop(10);
        }
    }

    @Test
    void stopFinishesTheStreamInFlightRefusesNewWorkThenCloses() throws Exception {
        SamplingService service = start(8, 8);
        ServiceClient client = new ServiceClient(service.port(), null);
        HttpRequest request = HttpRequest.newBuilder(URI.create(client.base() + "/v1/generate/stream"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"length\":10000,\"seed\":3}")).build();
        InputStream body = client.http().send(request, HttpResponse.BodyHandlers.ofInputStream()).body();
        BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        assertThat(reader.readLine()).isEqualTo("event: text"); // the stream is under way

        CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> call(() -> service.stop(30)));
        ServiceClient.Reply during = awaitDraining(client);
        assertThat(during.status()).isEqualTo(503);
        assertThat(during.retryAfter()).isEqualTo("1");

        StringBuilder text = new StringBuilder();
        String last = null;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.startsWith("data: ")) {
                last = line.substring(6);
                var json = ServiceClient.JSON.readTree(last);
                if (json.has("text")) {
                    text.append(json.get("text").asText());
                }
            }
        }
        assertThat(ServiceClient.JSON.readTree(last).get("texts").get(0).asText()).hasSize(10000);
        assertThat(stopped.get(60, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> client.get("/healthz")).isInstanceOf(ConnectException.class);
    }

    @Test
    void sigtermFromOutsideDrainsAndExitsZero() throws Exception {
        Path log = dir.resolve("serve.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.charlstm.cli.Main",
                "serve", "--model", model.toString(), "--port", "0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Matcher port = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && p.isAlive()) {
                port = java.util.regex.Pattern.compile("serving on http://127\\.0\\.0\\.1:(\\d+)/")
                        .matcher(Files.readString(log));
                if (port.find()) {
                    break;
                }
                port = null;
                Thread.sleep(50);
            }
            assertThat(port).as("the service started: %s", Files.readString(log)).isNotNull();
            ServiceClient client = new ServiceClient(Integer.parseInt(port.group(1)), null);
            assertThat(client.get("/healthz").status()).isEqualTo(200);
            CompletableFuture<ServiceClient.Reply> inFlight = CompletableFuture.supplyAsync(() -> call(() ->
                    client.post("/v1/generate", "{\"length\":8000,\"seed\":4}")));
            awaitPending(client, 1);
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(log)).isZero();
            ServiceClient.Reply finished = inFlight.get(10, TimeUnit.SECONDS);
            assertThat(finished.status()).isEqualTo(200);
            assertThat(finished.json().get("texts").get(0).asText()).hasSize(8000);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void sighupAtTheDrainDeadlineEndsStreamsWithAnErrorEventPlainRequestsWith503AndExitsZero() throws Exception {
        Path log = dir.resolve("serve-hup.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.charlstm.cli.Main",
                "serve", "--model", model.toString(), "--port", "0", "--drain-seconds", "1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int port = awaitPort(p, log);
            ServiceClient client = new ServiceClient(port, null);
            HttpRequest request = HttpRequest.newBuilder(URI.create(client.base() + "/v1/generate/stream"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"length\":10000,\"count\":16,\"seed\":5}")).build();
            CompletableFuture<HttpResponse<String>> stream = client.http().sendAsync(request,
                    HttpResponse.BodyHandlers.ofString());
            CompletableFuture<ServiceClient.Reply> plain = CompletableFuture.supplyAsync(() -> call(() ->
                    client.post("/v1/generate", "{\"length\":10000,\"count\":16,\"seed\":6}")));
            awaitPending(client, 2);
            new ProcessBuilder("kill", "-HUP", String.valueOf(p.pid())).start().waitFor();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String output = Files.readString(log);
            assertThat(p.exitValue()).as(output).isZero();
            assertThat(output).doesNotContain(" ERROR ").doesNotContain("Exception")
                    .contains("ended the requests still running after 1 s");
            String events = stream.get(10, TimeUnit.SECONDS).body();
            String last = events.substring(events.lastIndexOf("event: "));
            assertThat(last).startsWith("event: error\n").contains("\"shutting_down\"").endsWith("\n\n");
            ServiceClient.Reply answer = plain.get(10, TimeUnit.SECONDS);
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.retryAfter()).isEqualTo("1");
        } finally {
            p.destroyForcibly();
        }
    }

    private static int awaitPort(Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && p.isAlive()) {
            java.util.regex.Matcher port = java.util.regex.Pattern.compile("serving on http://127\\.0\\.0\\.1:(\\d+)/")
                    .matcher(Files.readString(log));
            if (port.find()) {
                return Integer.parseInt(port.group(1));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the service did not start: " + Files.readString(log));
    }

    private static void awaitPending(ServiceClient client, int pending) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (client.get("/metrics").body().contains("charlstm_pending_requests " + pending + ".0")) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the long request never became pending");
    }

    private static ServiceClient.Reply awaitDraining(ServiceClient client) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            ServiceClient.Reply r = client.post("/v1/generate", "{\"length\":5}");
            if (r.status() != 200) {
                return r;
            }
        }
        throw new AssertionError("the service never started draining");
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    private static <T> T call(Call<T> c) {
        try {
            return c.run();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}

package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.charlstm.model.ModelFile;
import dev.charlstm.testing.TinyModels;
import dev.charlstm.train.TrainConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The service under conditions a first user or an abusive client creates: event streams that
 * must arrive as they are written, more streams than the service admits, clients that hang up,
 * chunked bodies past the limit, a drain deadline, a bad model among good ones. The model is
 * large (one LSTM layer of 1024) so that a request takes long enough to watch.
 */
class ServiceReliabilityIT {

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void slowModel() throws Exception {
        TrainConfig config = TinyModels.config().with("hidden_size", 1024).with("embedding_size", 64);
        model = dir.resolve("models").resolve("big").resolve("model.zip");
        ModelFile.save(model, TinyModels.network(config), TinyModels.metadata(config));
    }

    private static SamplingService start(ServiceLimits limits) throws Exception {
        return SamplingService.start(new SamplingService.Config(null, model, "127.0.0.1", 0, null), limits);
    }

    /** A request written on a raw socket, as curl would send it. */
    private static Socket open(int port, String path, String body) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(30_000);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return s;
    }

    private static String statusLine(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII).trim();
    }

    private static String rest(Socket s) throws IOException {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void eventsReachTheClientAsTheyAreGeneratedNotInBufferFuls() throws Exception {
        SamplingService service = start(ServiceLimits.defaults());
        try (Socket s = open(service.port(), "/v1/generate/stream", "{\"length\":1500,\"seed\":5,\"temperature\":0}")) {
            long sent = System.nanoTime();
            InputStream in = s.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buffer = new byte[65536];
            long firstText = -1;
            long done = -1;
            int reads = 0;
            for (int n = in.read(buffer); n >= 0 && done < 0; n = in.read(buffer)) {
                reads++;
                seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                if (firstText < 0 && seen.indexOf("event: text\n") >= 0) {
                    firstText = System.nanoTime();
                }
                if (seen.indexOf("event: done\n") >= 0) {
                    done = System.nanoTime();
                }
            }
            assertThat(done).as("the stream ended with a done event").isPositive();
            System.out.printf("ServiceReliabilityIT: 1,500-character stream in %d reads, first text after %d ms, "
                    + "done after %d ms%n", reads, (firstText - sent) / 1_000_000, (done - sent) / 1_000_000);
            // Buffered into 32 KiB blocks, the first text arrived after more than half of the ~60 KB.
            assertThat(firstText - sent).as("first text, ms, of %d ms in %d reads", (done - sent) / 1_000_000, reads)
                    .isLessThan((done - sent) / 2);
            assertThat(reads).isGreaterThan(10);
        } finally {
            service.stop(5);
        }
    }

    @Test
    void moreStreamsThanTheLimitGet429AndHealthStaysUp() throws Exception {
        // Ten server threads and sixteen admitted streams: a thread held per stream would starve /healthz.
        SamplingService service = start(ServiceLimits.defaults().withAdmission(2, 16, 1000).withServer(10, 30_000));
        List<Socket> streams = new ArrayList<>();
        try {
            ServiceClient client = new ServiceClient(service.port(), null);
            int refused = 0;
            int admitted = 0;
            long slowestHealth = 0;
            for (int i = 0; i < 24; i++) {
                Socket s = open(service.port(), "/v1/generate/stream", "{\"length\":10000,\"seed\":" + i + "}");
                streams.add(s);
            }
            for (Socket s : streams) {
                String status = statusLine(s);
                if (status.contains(" 429 ")) {
                    refused++;
                    assertThat(rest(s)).containsIgnoringCase("Retry-After: 1").contains("\"busy\"");
                } else {
                    assertThat(status).contains(" 200 ");
                    admitted++;
                }
            }
            System.out.printf("ServiceReliabilityIT: 24 streams, 16 admitted, %d refused with 429%n", refused);
            assertThat(admitted).isEqualTo(16);
            assertThat(refused).isEqualTo(8);
            for (int i = 0; i < 5; i++) {
                CompletableFuture<Integer> health = CompletableFuture.supplyAsync(() -> {
                    try {
                        return client.get("/healthz").status();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                long t = System.nanoTime();
                assertThat(health.get(1, TimeUnit.SECONDS)).isEqualTo(200);
                slowestHealth = Math.max(slowestHealth, System.nanoTime() - t);
                assertThat(client.get("/metrics").body()).contains("charlstm_open_event_streams 16.0");
            }
            System.out.printf("ServiceReliabilityIT: slowest /healthz with 16 streams open: %d ms%n",
                    slowestHealth / 1_000_000);
        } finally {
            for (Socket s : streams) {
                s.close();
            }
            service.stop(5);
        }
    }

    @Test
    void openAiStreamsHoldNoServerThreadEither() throws Exception {
        // As above, through /v1/completions: sixteen streams open on ten server threads.
        SamplingService service = start(ServiceLimits.defaults().withAdmission(2, 16, 1000).withServer(10, 30_000));
        List<Socket> streams = new ArrayList<>();
        try {
            ServiceClient client = new ServiceClient(service.port(), null);
            for (int i = 0; i < 16; i++) {
                streams.add(open(service.port(), "/v1/completions",
                        "{\"prompt\":\"Th\",\"max_tokens\":10000,\"stream\":true,\"seed\":" + i + "}"));
            }
            for (Socket s : streams) {
                assertThat(statusLine(s)).contains(" 200 ");
            }
            awaitMetric(client, "charlstm_open_event_streams 16.0");
            for (int i = 0; i < 5; i++) {
                CompletableFuture<Integer> health = CompletableFuture.supplyAsync(() -> {
                    try {
                        return client.get("/healthz").status();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                assertThat(health.get(1, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            for (Socket s : streams) {
                s.close();
            }
            service.stop(5);
        }
    }

    @Test
    void theWorkOfAClientThatHangsUpIsCancelled() throws Exception {
        SamplingService service = start(ServiceLimits.defaults());
        try {
            ServiceClient client = new ServiceClient(service.port(), null);
            for (String path : new String[] {"/v1/generate", "/v1/generate/stream"}) {
                Socket s = open(service.port(), path, "{\"length\":10000,\"count\":4,\"seed\":1}");
                awaitMetric(client, "charlstm_pending_requests 1.0");
                Thread.sleep(100);
                s.setSoLinger(true, 0); // a reset, as a killed client leaves
                s.close();
                long gone = System.nanoTime();
                awaitMetric(client, "charlstm_pending_requests 0.0");
                // 40,000 characters take this model far longer than the second allowed here
                assertThat(System.nanoTime() - gone).as(path).isLessThan(TimeUnit.SECONDS.toNanos(2));
                System.out.printf("ServiceReliabilityIT: %s reset, work cancelled after %d ms%n", path,
                        (System.nanoTime() - gone) / 1_000_000);
            }
            assertThat(client.get("/metrics").body()).contains("charlstm_active_streams 0.0")
                    .containsPattern("charlstm_errors_total\\{code=\"499\",endpoint=\"generate\"\\} 1");
        } finally {
            service.stop(5);
        }
    }

    @Test
    void oneClientCannotHoldMoreThanItsShareAndScoresAreAdmittedLikeGeneration() throws Exception {
        SamplingService service = start(ServiceLimits.defaults().withAdmission(2, 64, 3));
        List<Socket> held = new ArrayList<>();
        try {
            ServiceClient client = new ServiceClient(service.port(), null);
            for (int i = 0; i < 3; i++) {
                held.add(open(service.port(), "/v1/generate", "{\"length\":10000,\"seed\":" + i + "}"));
            }
            awaitMetric(client, "charlstm_pending_requests 3.0");
            ServiceClient.Reply fourth = client.post("/v1/generate", "{\"length\":5}");
            assertThat(fourth.status()).isEqualTo(429);
            assertThat(fourth.retryAfter()).isEqualTo("1");
            assertThat(fourth.json().get("error").get("code").asText()).isEqualTo("too_many_requests");
            assertThat(client.post("/v1/score", "{\"text\":\"abc\"}").status()).isEqualTo(429);
            for (Socket s : held) {
                s.close();
            }
            awaitMetric(client, "charlstm_pending_requests 0.0");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (client.post("/v1/score", "{\"text\":\"abc\"}").status() != 200) { // the cap is released
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(20);
            }
            ServiceClient.Reply longScore = client.post("/v1/score", "{\"text\":\"" + "a".repeat(10_001) + "\"}");
            assertThat(longScore.status()).isEqualTo(400);
            assertThat(longScore.json().get("error").get("message").asText()).contains("at most 10000 characters");
        } finally {
            for (Socket s : held) {
                s.close();
            }
            service.stop(5);
        }
    }

    @Test
    void aChunkedBodyPastTheLimitIs413WithoutBeingReadWhole() throws Exception {
        SamplingService service = start(ServiceLimits.defaults());
        try (Socket s = new Socket("127.0.0.1", service.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> {
                byte[] chunk = ("10000\r\n" + "a".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                long written = 0;
                try {
                    out.write("{\"prime\":\"".getBytes(StandardCharsets.US_ASCII), 0, 0);
                    for (int i = 0; i < 80; i++) { // 5 MiB
                        out.write(chunk);
                        written += chunk.length;
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException closedByServer) {
                    // the point: the server stopped reading
                }
                return written;
            });
            String status = statusLine(s);
            assertThat(status).contains(" 413 ");
            assertThat(rest(s)).contains("\"too_large\"");
            writer.get(20, TimeUnit.SECONDS);
            assertThat(new ServiceClient(service.port(), null).get("/healthz").status()).isEqualTo(200);
        } finally {
            service.stop(5);
        }
    }

    @Test
    void atTheDrainDeadlineStreamsGetAnErrorEventAndPlainRequestsA503() throws Exception {
        SamplingService service = start(ServiceLimits.defaults());
        ServiceClient client = new ServiceClient(service.port(), null);
        try (Socket stream = open(service.port(), "/v1/generate/stream", "{\"length\":10000,\"count\":8,\"seed\":1}");
             Socket plain = open(service.port(), "/v1/generate", "{\"length\":10000,\"count\":8,\"seed\":2}")) {
            awaitMetric(client, "charlstm_pending_requests 2.0");
            long t0 = System.nanoTime();
            assertThat(service.stop(1)).as("nothing finished within 1 s").isFalse();
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(8));
            String streamed = rest(stream);
            assertThat(streamed.contains("event: text") && !streamed.contains("event: done")).isTrue();
            String lastEvent = streamed.substring(streamed.lastIndexOf("event: "));
            // the stream ends with a whole error event, not cut in the middle of one
            assertThat(lastEvent).startsWith("event: error\ndata: {\"error\":{").contains("shutting_down")
                    .endsWith("}}\n\n");
            String answer = statusLine(plain) + rest(plain);
            assertThat(answer).contains(" 503 ").containsIgnoringCase("Retry-After: 1").contains("shutting_down");
        }
    }

    @Test
    void oneBadModelIsReportedAndTheGoodOnesAreServed() throws Exception {
        Path models = dir.resolve("mixed");
        TinyModels.savePeaky(models.resolve("good").resolve("model.zip"));
        Files.createDirectories(models.resolve("bad"));
        Files.write(models.resolve("bad").resolve("model.zip"), new byte[] {'P', 'K', 3, 4, 0, 0, 0});
        String evil = "evil\n12:00:00 INFO forged\u001b[31m";
        Files.createDirectories(models.resolve(evil));
        Files.writeString(models.resolve(evil).resolve("model.zip"), "not a zip");
        SamplingService service = SamplingService.start(new SamplingService.Config(models, null, "127.0.0.1", 0, null));
        try {
            ServiceClient client = new ServiceClient(service.port(), null);
            var listed = client.get("/v1/models").json();
            assertThat(listed.get("models")).hasSize(1);
            assertThat(listed.get("models").get(0).get("name").asText()).isEqualTo("good");
            assertThat(listed.get("unavailable")).hasSize(2);
            assertThat(listed.get("unavailable").get(0).get("name").asText()).isEqualTo("bad");
            assertThat(listed.get("unavailable").get(0).get("reason").asText()).isNotBlank();
            assertThat(client.get("/healthz").json().get("unavailable").asInt()).isEqualTo(2);
            assertThat(client.post("/v1/generate", "{\"model\":\"good\",\"length\":5}").status()).isEqualTo(200);
            ServiceClient.Reply bad = client.post("/v1/generate", "{\"model\":\"bad\",\"length\":5}");
            assertThat(bad.status()).isEqualTo(404);
            assertThat(bad.json().get("error").get("code").asText()).isEqualTo("model_unavailable");
        } finally {
            service.stop(5);
        }
        assertThat(ModelRegistry.escape(evil)).isEqualTo("evil\\n12:00:00 INFO forged\\u001b[31m");
        Files.delete(models.resolve("good").resolve("model.zip"));
        assertThatThrownBy(() ->
                        SamplingService.start(new SamplingService.Config(models, null, "127.0.0.1", 0, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("could be loaded")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aBodyThatStopsArrivingIsA408AtTheIdleTimeoutAndIsCounted() throws Exception {
        SamplingService service = start(ServiceLimits.defaults().withServer(64, 500));
        try (Socket s = new Socket("127.0.0.1", service.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"length\":").getBytes(StandardCharsets.US_ASCII));
            out.flush(); // and then nothing more
            String answer = statusLine(s) + rest(s);
            assertThat(answer).startsWith("HTTP/1.1 408").contains("\"timeout\"");
            ServiceClient client = new ServiceClient(service.port(), null);
            assertThat(client.get("/metrics").body())
                    .contains("charlstm_requests_total{endpoint=\"generate\",status=\"408\"} 1.0");
        } finally {
            service.stop(5);
        }
    }

    @Test
    void streamsToClientsThatStopReadingAreDroppedAtTheIdleTimeoutAndHoldNoThread() throws Exception {
        Path fast = dir.resolve("fast.zip");
        TinyModels.savePeaky(fast);
        SamplingService service = SamplingService.start(new SamplingService.Config(null, fast, "127.0.0.1", 0, null),
                ServiceLimits.defaults().withServer(10, 500));
        List<Socket> stalled = new ArrayList<>();
        try {
            ServiceClient client = new ServiceClient(service.port(), null);
            for (int i = 0; i < 12; i++) { // more than the server has threads
                Socket s = new Socket();
                s.setReceiveBufferSize(4096);
                s.connect(new InetSocketAddress("127.0.0.1", service.port()));
                byte[] body = ("{\"length\":10000,\"count\":16,\"seed\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                s.getOutputStream().write(("POST /v1/generate/stream HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                        + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(body);
                stalled.add(s); // and never read
            }
            assertThat(client.get("/healthz").status()).isEqualTo(200);
            awaitMetric(client, "charlstm_pending_requests 0.0");
            awaitMetric(client, "charlstm_open_event_streams 0.0");
            assertThat(client.get("/metrics").body())
                    .contains("charlstm_errors_total{code=\"499\",endpoint=\"generate_stream\"} 12.0");
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
            service.stop(5);
        }
    }

    @Test
    void stopWithAStreamWhoseClientReadsNothingEndsInTimeWithoutErrors() throws Exception {
        Path fast = dir.resolve("fast-stop.zip");
        TinyModels.savePeaky(fast);
        SamplingService service = SamplingService.start(new SamplingService.Config(null, fast, "127.0.0.1", 0, null),
                ServiceLimits.defaults());
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", service.port()));
            byte[] body = "{\"length\":10000,\"count\":16,\"seed\":1}".getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write(("POST /v1/generate/stream HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                    + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(body);
            ServiceClient client = new ServiceClient(service.port(), null);
            awaitMetric(client, "charlstm_open_event_streams 1.0");
            Thread.sleep(300); // the socket buffers fill: the stream stalls
            long t0 = System.nanoTime();
            assertThat(service.stop(1)).isFalse();
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(8));
            assertThat(logged.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                    .as("errors logged while stopping").isEmpty();
        } finally {
            root.detachAppender(logged);
        }
    }

    static void awaitMetric(ServiceClient client, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String body = "";
        while (System.nanoTime() < deadline) {
            body = client.get("/metrics").body();
            if (body.contains(line)) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("never saw '" + line + "' in\n" + body);
    }
}

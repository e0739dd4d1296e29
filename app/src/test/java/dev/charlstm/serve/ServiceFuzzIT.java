package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charlstm.testing.RunningService;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sends 10,000 generated requests from 16 threads, each thread with its own seeded generator:
 * malformed and mistyped JSON, huge numbers and strings, control and non-ASCII characters,
 * unknown models and fields, random methods and paths, and streams dropped after the first event.
 * The service must answer every one below 500, stay up, and let go of everything afterwards.
 * The seed is printed; {@code -Dfuzz.seed=N} replays a run.
 */
class ServiceFuzzIT {

    private static final int REQUESTS = 10_000;
    private static final int THREADS = 16;
    private static final long HEAP_GROWTH_BOUND = 64L << 20;

    @RegisterExtension
    static final RunningService service = RunningService.withPeakyModels("faq/model.zip", "other.zip");

    private final ConcurrentMap<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final List<String> serverErrors = Collections.synchronizedList(new ArrayList<>());

    @Test
    void tenThousandHostileRequestsNeverGetA5xxOrLeak() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("ServiceFuzzIT: fuzz.seed=" + seed);
        long heapBefore = usedHeapAfterGc();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        RequestGenerator.Target target = new RequestGenerator.Target(service.baseUrl(), service.port());
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            RequestGenerator generator = new RequestGenerator(new Random(seed + t));
            workers.add(pool.submit(() -> {
                while (next.getAndIncrement() < REQUESTS) {
                    send(http, target, generator.next());
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        System.out.println("ServiceFuzzIT outcomes: " + new TreeMap<>(outcomes));

        assertThat(serverErrors).as("5xx responses").isEmpty();
        assertThat(outcomes.keySet()).as("only dropped streams and bodies over the limit may fail to get a status")
                .allMatch(k -> !k.startsWith("exception") || k.startsWith("exception huge-body"));
        assertThat(get(http, target, "/healthz").statusCode()).isEqualTo(200);
        // Dropped streams are noticed at their next write; give the scheduler a moment to let go.
        Map<String, Double> gauges = Map.of();
        for (int i = 0; i < 300; i++) {
            gauges = gauges(get(http, target, "/metrics").body());
            if (gauges.get("charlstm_pending_requests") == 0 && gauges.get("charlstm_open_event_streams") == 0) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(gauges).containsEntry("charlstm_pending_requests", 0.0)
                .containsEntry("charlstm_open_event_streams", 0.0);
        long heapAfter = usedHeapAfterGc();
        System.out.printf("ServiceFuzzIT heap after GC: %d MB before, %d MB after%n", heapBefore >> 20, heapAfter >> 20);
        assertThat(heapAfter - heapBefore).as("heap growth").isLessThan(HEAP_GROWTH_BOUND);
    }

    private void send(HttpClient http, RequestGenerator.Target target, RequestGenerator.Request r) {
        try {
            int status = r.dropStream() ? dropAfterFirstEvent(target, r) : exchange(http, target, r);
            if (status >= 500) {
                serverErrors.add(status + " " + r);
            }
            count(r.kind() + " " + status);
        } catch (Exception e) {
            count("exception " + r.kind() + " " + e.getClass().getSimpleName());
        }
    }

    private static int exchange(HttpClient http, RequestGenerator.Target target, RequestGenerator.Request r)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target.base() + r.path()))
                .timeout(Duration.ofSeconds(60))
                .method(r.method(), r.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(r.body()));
        if (r.body() != null) {
            b.header("Content-Type", r.contentType());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Opens a stream on a raw socket, reads up to the first event and hangs up. */
    private static int dropAfterFirstEvent(RequestGenerator.Target target, RequestGenerator.Request r) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", target.port()), 5000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + r.path() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + r.body().length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(r.body());
            out.flush();
            InputStream in = socket.getInputStream();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String statusLine = reader.readLine();
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            for (String line = reader.readLine(); line != null && !line.startsWith("event:"); line = reader.readLine()) {
                // headers and chunk sizes until the first event
            }
            return status; // closing the socket here is the point
        }
    }

    private static HttpResponse<String> get(HttpClient http, RequestGenerator.Target target, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(target.base() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, Double> gauges(String metrics) {
        Map<String, Double> gauges = new LinkedHashMap<>();
        for (String line : metrics.split("\n")) {
            String[] parts = line.split(" ");
            if (parts.length == 2 && !line.startsWith("#") && !parts[0].contains("{")) {
                gauges.put(parts[0], Double.parseDouble(parts[1]));
            }
        }
        return gauges;
    }

    private void count(String key) {
        outcomes.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}

package dev.charlstm.cli;

import dev.charlstm.io.Json;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code loadtest}: drives a running service with N concurrent clients and reports throughput and
 * latency percentiles. Bounded in requests and time; meant for the service on this machine.
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true,
        description = "Measure a running service: aggregate characters/second and p50/p99 latency per concurrency.")
final class LoadTestCommand implements Callable<Integer> {

    @Option(names = "--url", description = "Service base URL (default: ${DEFAULT-VALUE}).")
    URI url = URI.create("http://127.0.0.1:8080");

    @Option(names = "--model", description = "Model name (default: the service's only model).")
    String model;

    @Option(names = "--clients", split = ",", description = "Concurrency levels (default: ${DEFAULT-VALUE}).")
    int[] clients = {1, 8, 32};

    @Option(names = "--requests", description = "Requests per client at each level (default: ${DEFAULT-VALUE}).")
    int requestsPerClient = 4;

    @Option(names = "--length", description = "Characters per request (default: ${DEFAULT-VALUE}).")
    int length = 500;

    @Option(names = "--max-seconds", description = "Stop a level after this long (default: ${DEFAULT-VALUE}).")
    long maxSeconds = 120;

    @Option(names = "--token", description = "Bearer token (default: the CHARLSTM_TOKEN environment variable).")
    String token = System.getenv(ServeCommand.TOKEN_VARIABLE);

    @Mixin
    JsonOutput json = new JsonOutput();

    @Override
    public Integer call() throws Exception {
        if (requestsPerClient < 1 || length < 1 || Arrays.stream(clients).anyMatch(c -> c < 1 || c > 1024)) {
            throw new IllegalArgumentException("--clients must be in [1, 1024], --requests and --length positive");
        }
        json.check();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Map<String, Object>> results = new ArrayList<>();
        // The warm-up (it warms the service's JIT) is also the check that the set-up works: a dead
        // URL or a missing --model fails every request alike, so say why once and stop.
        Map<String, Object> warmUp = run(http, 1, 1);
        if ((int) warmUp.get("errors") > 0) {
            throw new IllegalArgumentException("loadtest: the first request to " + url.resolve("/v1/generate")
                    + " failed: " + warmUp.get("first_error"));
        }
        for (int c : clients) {
            results.add(run(http, c, requestsPerClient));
        }
        if (json.wanted()) {
            json.emit(results);
        } else {
            System.out.printf("%8s %9s %7s %16s %10s %10s%n", "clients", "requests", "errors", "chars/s (total)",
                    "p50 (s)", "p99 (s)");
            for (Map<String, Object> r : results) {
                System.out.printf("%8d %9d %7d %,16.0f %10s %10s%n", r.get("clients"), r.get("requests"),
                        r.get("errors"), r.get("chars_per_sec"), seconds(r.get("p50_seconds")),
                        seconds(r.get("p99_seconds")));
            }
        }
        for (Map<String, Object> r : results) {
            if ((int) r.get("errors") > 0) {
                System.err.printf("charlstm: loadtest: %d of %d requests with %d clients failed; the first: %s%n",
                        r.get("errors"), r.get("requests"), r.get("clients"), r.get("first_error"));
            }
        }
        return results.stream().allMatch(r -> (int) r.get("errors") == 0) ? 0 : 1;
    }

    private static String quote(String s) {
        return Json.write(s);
    }

    private static String seconds(Object value) {
        return value == null ? "-" : String.format("%.3f", (Double) value); // no successful request: no latency
    }

    /** One line for a failed response: its status and the service's error message. */
    private static String describe(HttpResponse<String> r) {
        String message = r.body() == null ? "" : r.body().strip();
        try {
            var error = Json.MAPPER.readTree(message).path("error").path("message");
            if (error.isTextual()) {
                message = error.asText();
            }
        } catch (Exception notJson) {
            // keep the body as it came
        }
        message = message.replaceAll("\\s+", " ");
        return "HTTP " + r.statusCode() + (message.isEmpty() ? "" : ": "
                + (message.length() > 200 ? message.substring(0, 200) + "..." : message));
    }

    private static String describe(Exception e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return "cannot connect (ConnectException" + (c.getMessage() == null ? "" : ": " + c.getMessage()) + ")";
            }
        }
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof ExecutionException)) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? "" : ": " + t.getMessage();
        return t.getClass().getSimpleName() + m;
    }

    private Map<String, Object> run(HttpClient http, int concurrency, int perClient) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger chars = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            int client = c;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < perClient && System.nanoTime() < deadline; i++) {
                    String body = "{" + (model == null ? "" : "\"model\":" + quote(model) + ",") + "\"length\":" + length
                            + ",\"seed\":" + (client * 1000 + i) + "}";
                    HttpRequest.Builder request = HttpRequest.newBuilder(url.resolve("/v1/generate"))
                            .timeout(Duration.ofSeconds(maxSeconds)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body));
                    if (token != null) {
                        request.header("Authorization", "Bearer " + token);
                    }
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            latencies.add((System.nanoTime() - t0) / 1e9);
                            chars.addAndGet(length);
                        } else {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, describe(r));
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, describe(e));
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("clients", concurrency);
        r.put("requests", sorted.length + errors.get());
        r.put("errors", errors.get());
        r.put("chars_per_sec", chars.get() / seconds);
        r.put("p50_seconds", percentile(sorted, 0.50));
        r.put("p99_seconds", percentile(sorted, 0.99));
        if (firstError.get() != null) {
            r.put("first_error", firstError.get());
        }
        return r;
    }

    private static Double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return null;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}

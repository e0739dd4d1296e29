package dev.charlstm.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.charlstm.testing.RunningService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/** A test client for the service on 127.0.0.1. */
final class ServiceClient {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A response: status, headers of interest and the body as text (and JSON when it is JSON). */
    record Reply(int status, String body, String retryAfter, String contentType) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        /** Server-sent events as (event, data) pairs. */
        List<String[]> events() {
            List<String[]> events = new ArrayList<>();
            for (String block : body.split("\n\n")) {
                if (block.isBlank()) {
                    continue;
                }
                String event = null;
                String data = null;
                for (String line : block.split("\n")) {
                    if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data = line.substring(6);
                    }
                }
                events.add(new String[] {event, data});
            }
            return events;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final IntSupplier port;
    private final String token;

    ServiceClient(int port, String token) {
        this(() -> port, token);
    }

    /** A client of a service that may not be running yet: its port is read at each request. */
    ServiceClient(RunningService service, String token) {
        this(service::port, token);
    }

    private ServiceClient(IntSupplier port, String token) {
        this.port = port;
        this.token = token;
    }

    ServiceClient withToken(String other) {
        return new ServiceClient(port, other);
    }

    Reply get(String path) throws Exception {
        return send(request(path).GET().build());
    }

    Reply post(String path, String body) throws Exception {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** A POST of raw bytes, declared as JSON (or as {@code contentType} when it is not null). */
    Reply postBytes(String path, byte[] body, String contentType) throws Exception {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b.build());
    }

    Reply send(String method, String path, byte[] body) throws Exception {
        return send(request(path).method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(60));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private Reply send(HttpRequest request) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r.headers().firstValue("Retry-After").orElse(null),
                r.headers().firstValue("Content-Type").orElse(""));
    }

    HttpClient http() {
        return http;
    }

    String base() {
        return "http://127.0.0.1:" + port.getAsInt();
    }
}

package dev.charlstm.scrape;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP server on 127.0.0.1 serving test pages, counting the requests each path gets. */
final class FixtureServer implements AutoCloseable {

    /** Answers one request; {@code hit} is 1 for the first request to the path, 2 for the second... */
    @FunctionalInterface
    interface Responder {
        void respond(HttpExchange exchange, int hit) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final Map<String, Headers> lastRequestHeaders = new ConcurrentHashMap<>();

    FixtureServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // One thread per exchange, so a deliberately slow page cannot hold up the others.
        server.setExecutor(threads);
        server.start();
    }

    void on(String path, Responder responder) {
        AtomicInteger counter = hits.computeIfAbsent(path, p -> new AtomicInteger());
        server.createContext(path, exchange -> {
            try (exchange) {
                lastRequestHeaders.put(path, exchange.getRequestHeaders());
                responder.respond(exchange, counter.incrementAndGet());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // The client hung up on purpose (timeout or size limit tests); nothing to answer.
            }
        });
    }

    void page(String path, int status, String contentType, byte[] body) {
        on(path, (exchange, hit) -> send(exchange, status, contentType, body));
    }

    void fixture(String path, String contentType, String resource) {
        page(path, 200, contentType, resource(resource));
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    int hits(String path) {
        AtomicInteger counter = hits.get(path);
        return counter == null ? 0 : counter.get();
    }

    Headers lastRequestHeaders(String path) {
        return lastRequestHeaders.get(path);
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static byte[] resource(String name) {
        try (InputStream in = FixtureServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}

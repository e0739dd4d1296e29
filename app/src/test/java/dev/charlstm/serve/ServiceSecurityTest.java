package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charlstm.testing.RunningService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an attacker on the network (or a careless client) can reach: the bind address, the token
 * on every route, model names as paths, and oversized bodies and headers.
 */
class ServiceSecurityTest {

    static final String TOKEN = "t0ken-for-security-test";

    // A valid model beside the models directory, loose and in a folder: no request may ever reach it.
    @RegisterExtension
    static final RunningService service = RunningService.withPeakyModels("models/faq/model.zip", "outside.zip",
            "outside/model.zip").serving("models").token(TOKEN);
    static final ServiceClient client = new ServiceClient(service, TOKEN);

    /** Every route but /healthz and the page, with a body that would be valid. */
    static final List<String[]> PROTECTED = List.of(
            new String[] {"GET", "/metrics", ""},
            new String[] {"GET", "/v1/models", ""},
            new String[] {"POST", "/v1/generate", "{\"model\":\"faq\",\"length\":5}"},
            new String[] {"POST", "/v1/generate/stream", "{\"model\":\"faq\",\"length\":5}"},
            new String[] {"POST", "/v1/score", "{\"model\":\"faq\",\"text\":\"Masks\"}"});

    @Test
    void listensOnLoopbackOnly() throws Exception {
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(i -> isUp(i)).flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
        if (external.isPresent()) { // a machine with only loopback has nothing more to check
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(external.get(), service.port()), 2000);
                }
            }).isInstanceOf(ConnectException.class);
        }
        assertThat(client.get("/healthz").status()).isEqualTo(200);
    }

    @Test
    void everyRouteButHealthAndThePageRefusesAMissingOrWrongToken() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString(("user:" + TOKEN).getBytes(StandardCharsets.UTF_8));
        List<String> refused = List.of("", "Bearer", "Bearer ", "Bearer wrong", "Bearer " + TOKEN + "x",
                "Bearer " + TOKEN.substring(1), basic, TOKEN, "Token " + TOKEN, "Bearer  " + TOKEN);
        for (String[] route : PROTECTED) {
            for (String authorization : refused) {
                int status = send(route, authorization).statusCode();
                assertThat(status).as("%s %s with '%s'", route[0], route[1], authorization).isEqualTo(401);
            }
            assertThat(send(route, "Bearer " + TOKEN).statusCode()).as(route[1]).isEqualTo(200);
        }
        assertThat(send(new String[] {"GET", "/healthz", ""}, "").statusCode()).isEqualTo(200);
        assertThat(send(new String[] {"GET", "/", ""}, "").statusCode()).isEqualTo(200);
    }

    @Test
    void modelNamesNeverReachTheFileSystem() throws Exception {
        List<String> names = List.of("../outside", "..%2Foutside", "%2e%2e/outside", "%2e%2e%2foutside", "..",
                "../outside/model.zip", service.model("outside.zip").toString(),
                service.model("outside.zip").toUri().toString(), "faq\u0000",
                "faq\u0000../outside", "faq/../../outside", "./faq", "faq/model.zip", "outside", "..\\outside",
                "/etc/passwd", "~/outside");
        for (String name : names) {
            String json = ServiceClient.JSON.writeValueAsString(java.util.Map.of("model", name, "length", 3));
            for (String path : List.of("/v1/generate", "/v1/generate/stream")) {
                ServiceClient.Reply r = client.post(path, json);
                assertThat(r.status()).as("%s %s", path, name).isEqualTo(404);
                assertThat(r.json().get("error").get("code").asText()).isEqualTo("unknown_model");
            }
            String score = ServiceClient.JSON.writeValueAsString(java.util.Map.of("model", name, "text", "ab"));
            assertThat(client.post("/v1/score", score).status()).as("score %s", name).isEqualTo(404);
        }
        // Paths in the URL itself: no route serves files, so none can read one.
        for (String path : List.of("/../outside.zip", "/%2e%2e/outside.zip", "/v1/models/..%2f..%2foutside.zip",
                "/static/../../outside.zip", "/..%5coutside.zip")) {
            String reply = raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(reply).as(path).startsWith("HTTP/1.1 4").doesNotContain("PK\u0003\u0004");
        }
    }

    @Test
    void oversizedBodiesAndHeadersAreRefused() throws Exception {
        String big = "{\"model\":\"faq\",\"text\":\"" + "a".repeat(300_000) + "\"}";
        for (String path : List.of("/v1/generate", "/v1/generate/stream", "/v1/score")) {
            ServiceClient.Reply r = client.post(path, big);
            assertThat(r.status()).as(path).isEqualTo(413);
        }
        String header = raw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + "a".repeat(64 * 1024)
                + "\r\nConnection: close\r\n\r\n");
        assertThat(header).startsWith("HTTP/1.1 431");
        assertThat(client.get("/healthz").status()).isEqualTo(200);
    }

    private static HttpResponse<String> send(String[] route, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(client.base() + route[1]));
        if (!authorization.isEmpty()) {
            b.header("Authorization", authorization);
        }
        if (route[0].equals("POST")) {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(route[2]));
        }
        return client.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request written byte for byte, as a client that does not normalise paths would send it. */
    private static String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", service.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static boolean isUp(NetworkInterface i) {
        try {
            return i.isUp();
        } catch (IOException e) {
            return false;
        }
    }
}

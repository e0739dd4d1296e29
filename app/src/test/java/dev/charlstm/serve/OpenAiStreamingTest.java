package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charlstm.model.ModelFile;
import dev.charlstm.testing.RunningService;
import dev.charlstm.testing.TinyModels;
import dev.charlstm.train.TrainConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How completion streams reach the wire, read from a raw socket: one HTTP chunk per event (each
 * event is flushed as written), and a client that hangs up ends its generation.
 */
class OpenAiStreamingTest {

    /** Wide enough that 16 choices of 10,000 characters take minutes: only cancelling ends them early. */
    static final TrainConfig WIDE = TinyModels.config().with("hidden_size", 512).with("layers", 2);

    @RegisterExtension
    static final RunningService service = RunningService.withPeakyModels("tiny.zip")
            .model("wide.zip", file -> ModelFile.save(file, TinyModels.network(WIDE), TinyModels.metadata(WIDE)));
    static final ServiceClient client = new ServiceClient(service, null);

    @Test
    void everyEventIsFlushedAsItsOwnChunk() throws Exception {
        try (Socket socket = post("{\"model\":\"tiny\",\"prompt\":\"Th\",\"max_tokens\":60,\"n\":2,\"seed\":1,"
                + "\"stream\":true}")) {
            InputStream in = socket.getInputStream();
            String head = headers(in);
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked")
                    .containsIgnoringCase("content-type: text/event-stream");
            List<String> chunks = new ArrayList<>();
            for (String chunk = chunk(in); chunk != null; chunk = chunk(in)) {
                chunks.add(chunk);
            }
            assertThat(chunks.size()).isGreaterThan(60);
            for (String c : chunks) {
                assertThat(c).as("one whole event per chunk").startsWith("data: ").endsWith("\n\n");
                assertThat(c.split("data: ", -1)).as(c).hasSize(2);
            }
            assertThat(chunks.get(chunks.size() - 1)).isEqualTo("data: [DONE]\n\n");
        }
    }

    @Test
    void aClientThatHangsUpEndsItsGeneration() throws Exception {
        try (Socket socket = post("{\"model\":\"wide\",\"prompt\":\"Th\",\"max_tokens\":10000,\"n\":16,"
                + "\"stream\":true}")) {
            InputStream in = socket.getInputStream();
            assertThat(headers(in)).startsWith("HTTP/1.1 200");
            assertThat(chunk(in)).startsWith("data: {");
            assertThat(gauge("charlstm_pending_requests")).isEqualTo(1);
            assertThat(gauge("charlstm_open_event_streams")).isEqualTo(1);
        }

        // The whole request is 160,000 characters of a wide model: minutes of work, unless it is cancelled.
        long deadline = System.nanoTime() + 60_000_000_000L;
        while ((gauge("charlstm_pending_requests") > 0 || gauge("charlstm_open_event_streams") > 0)
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(gauge("charlstm_pending_requests")).isZero();
        assertThat(gauge("charlstm_open_event_streams")).isZero();
        assertThat(counter("charlstm_generated_characters_total\\{model=\"wide\"}")).isLessThan(160_000);
        assertThat(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"Th\"}").status()).isEqualTo(200);
    }

    /** Sends a completion request; kept alive, so that Jetty frames the body in chunks rather than to EOF. */
    private static Socket post(String body) throws IOException {
        Socket socket = new Socket("127.0.0.1", service.port());
        socket.setSoTimeout(60_000);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return socket;
    }

    private static String headers(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the headers: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** The next chunk of a chunked body, or null at the last (empty) chunk. */
    private static String chunk(InputStream in) throws IOException {
        String sizeLine = line(in);
        int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
        if (size == 0) {
            return null;
        }
        byte[] data = in.readNBytes(size);
        line(in); // the CRLF after the data
        return new String(data, StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed mid-line");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private static double gauge(String name) throws Exception {
        return counter(name);
    }

    private static double counter(String pattern) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + pattern + " (\\S+)$").matcher(client.get("/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}

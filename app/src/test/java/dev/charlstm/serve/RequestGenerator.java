package dev.charlstm.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Hostile requests for {@link ServiceFuzzIT}, all derived from one seeded {@link Random}.
 * Strings stay bounded (at most a little over the 256 KiB body limit), and valid-looking
 * generations stay short, so that 10,000 of them run in seconds.
 */
final class RequestGenerator {

    record Target(String base, int port) {}

    /** One request; {@code dropStream} means: read the first event, then hang up. */
    record Request(String kind, String method, String path, byte[] body, String contentType, boolean dropStream) {
        @Override
        public String toString() {
            String text = body == null ? "" : new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
            return kind + " " + method + " " + path + " " + text;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] FIELDS = {"model", "prime", "length", "temperature", "top_k", "top_p", "seed",
            "count", "stop", "stream", "text"};
    private static final String[] PATHS = {"/", "/healthz", "/metrics", "/v1/models", "/v1/generate",
            "/v1/generate/stream", "/v1/score", "/v1", "/v1/generate/", "/v1/models/faq", "/index.html",
            "/v1/generate/stream/x", "/%2e%2e/%2e%2e/etc/passwd", "/v1/%00", "/v1/generate?stream=true",
            "/..;/v1/models", "/v1//generate", "/%ff%fe", "/v1/score?model=../../x"};
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE",
            "FOO", "PROPFIND"};
    private static final String[] CONTENT_TYPES = {"application/json", "text/plain", "application/x-www-form-urlencoded",
            "application/json; charset=latin1", "multipart/form-data; boundary=x", ""};

    private final Random random;

    RequestGenerator(Random random) {
        this.random = random;
    }

    Request next() {
        int roll = random.nextInt(100);
        if (roll < 30) {
            return json("generate", random.nextBoolean() ? "/v1/generate" : "/v1/generate/stream", generateFields());
        } else if (roll < 42) {
            return json("score", "/v1/score", scoreFields());
        } else if (roll < 55) {
            return raw("malformed", "POST", endpoint(), malformed());
        } else if (roll < 65) {
            return json("random-fields", endpoint(), randomObject(0));
        } else if (roll < 77) {
            String method = METHODS[random.nextInt(METHODS.length)];
            byte[] body = random.nextBoolean() ? bytes(random.nextInt(200)) : null;
            return new Request("method-path", method, PATHS[random.nextInt(PATHS.length)], body,
                    pick(CONTENT_TYPES), false);
        } else if (roll < 78) {
            // Over the body limit: a prime of ~300 KB.
            return raw("huge-body", "POST", endpoint(), ("{\"prime\":\"" + "a".repeat(300_000) + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
        } else {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("model", random.nextInt(4) == 0 ? "other" : "faq");
            body.put("prime", "Th");
            body.put("length", 100 + random.nextInt(1000));
            body.put("count", 1 + random.nextInt(3));
            if (random.nextBoolean()) {
                body.put("stream", true);
            }
            return new Request("dropped-stream", "POST", random.nextBoolean() ? "/v1/generate/stream" : "/v1/generate",
                    write(body), "application/json", true);
        }
    }

    /** Mostly well-formed generation requests with one or more hostile values. */
    private Map<String, Object> generateFields() {
        Map<String, Object> body = new LinkedHashMap<>();
        if (random.nextInt(3) > 0) {
            body.put("model", random.nextInt(3) == 0 ? hostileString() : random.nextBoolean() ? "faq" : "other");
        }
        for (String field : List.of("prime", "length", "temperature", "top_k", "top_p", "seed", "count", "stop",
                "stream")) {
            if (random.nextInt(3) == 0) {
                body.put(field, random.nextInt(4) == 0 ? randomValue(0) : plausible(field));
            }
        }
        if (random.nextInt(10) == 0) {
            body.put(hostileString(), randomValue(0));
        }
        return body;
    }

    private Object plausible(String field) {
        return switch (field) {
            case "prime" -> random.nextInt(4) == 0 ? hostileString() : "Do I need a mask?";
            case "length" -> random.nextInt(8) == 0 ? hugeNumber() : random.nextInt(64);
            case "temperature" -> random.nextInt(8) == 0 ? hugeNumber() : random.nextDouble() * 2;
            case "top_k" -> random.nextInt(8) == 0 ? hugeNumber() : random.nextInt(120) - 10;
            case "top_p" -> random.nextInt(8) == 0 ? hugeNumber() : random.nextDouble() * 1.2 - 0.1;
            case "seed" -> random.nextInt(8) == 0 ? hugeNumber() : random.nextLong();
            case "count" -> random.nextInt(8) == 0 ? hugeNumber() : random.nextInt(5) - 1;
            case "stop" -> random.nextBoolean() ? List.of(hostileString()) : Arrays.asList(".", null);
            default -> random.nextBoolean();
        };
    }

    private Map<String, Object> scoreFields() {
        Map<String, Object> body = new LinkedHashMap<>();
        if (random.nextBoolean()) {
            body.put("model", random.nextBoolean() ? "faq" : hostileString());
        }
        body.put("text", random.nextInt(4) == 0 ? randomValue(0) : hostileString());
        return body;
    }

    /** Numbers past every Java type, negative zero, exponents and fractions where integers belong. */
    private Object hugeNumber() {
        return switch (random.nextInt(7)) {
            case 0 -> new java.math.BigInteger("9".repeat(1 + random.nextInt(400)));
            case 1 -> new java.math.BigDecimal("1e" + (300 + random.nextInt(5000)));
            case 2 -> Long.MIN_VALUE;
            case 3 -> Integer.MAX_VALUE + 1L;
            case 4 -> -0.0;
            case 5 -> Double.MAX_VALUE;
            default -> 1.5;
        };
    }

    /** Control characters, lone surrogates, emoji, accents, NUL, long runs: at most 20,000 characters. */
    private String hostileString() {
        int length = random.nextInt(10) == 0 ? random.nextInt(20_000) : random.nextInt(40);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(6)) {
                case 0 -> s.append((char) random.nextInt(32));
                case 1 -> s.append((char) (0xD800 + random.nextInt(0x800))); // lone surrogates
                case 2 -> s.appendCodePoint(0x1F600 + random.nextInt(80));
                case 3 -> s.append((char) (0x80 + random.nextInt(0x700)));
                case 4 -> s.append("../");
                default -> s.append((char) (32 + random.nextInt(95)));
            }
        }
        return s.toString();
    }

    private Object randomValue(int depth) {
        return switch (random.nextInt(depth > 2 ? 6 : 8)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextInt();
            case 3 -> hugeNumber();
            case 4 -> random.nextGaussian() * 1e6;
            case 5 -> hostileString();
            case 6 -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    list.add(randomValue(depth + 1));
                }
                yield list;
            }
            default -> randomObject(depth + 1);
        };
    }

    private Map<String, Object> randomObject(int depth) {
        Map<String, Object> o = new LinkedHashMap<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            o.put(random.nextBoolean() ? pick(FIELDS) : hostileString(), randomValue(depth));
        }
        return o;
    }

    /** Broken JSON: cut short, raw control bytes, invalid UTF-8, deep nesting, bare values. */
    private byte[] malformed() {
        byte[] valid = write(generateFields());
        return switch (random.nextInt(7)) {
            case 0 -> Arrays.copyOf(valid, random.nextInt(Math.max(1, valid.length)));
            case 1 -> bytes(1 + random.nextInt(500));
            case 2 -> ("{\"prime\": \"a\u0000b\u0007\", \"length\": 5}").getBytes(StandardCharsets.UTF_8);
            case 3 -> "[".repeat(1 + random.nextInt(100_000)).getBytes(StandardCharsets.US_ASCII);
            case 4 -> new byte[] {'{', '"', 'p', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
            case 5 -> pick(new String[] {"null", "[]", "42", "\"text\"", "true", "{}{}", "{\"length\":NaN}",
                    "{\"length\":Infinity}", "{'prime':'x'}", "{\"length\":0x10}"}).getBytes(StandardCharsets.UTF_8);
            default -> ("{\"length\": 1" + "0".repeat(random.nextInt(2000)) + "}").getBytes(StandardCharsets.US_ASCII);
        };
    }

    private Request json(String kind, String path, Map<String, Object> body) {
        return new Request(kind, "POST", path, write(body), "application/json", false);
    }

    private Request raw(String kind, String method, String path, byte[] body) {
        return new Request(kind, method, path, body, "application/json", false);
    }

    private String endpoint() {
        return pick(new String[] {"/v1/generate", "/v1/generate/stream", "/v1/score"});
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private String pick(String[] options) {
        return options[random.nextInt(options.length)];
    }

    private static byte[] write(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

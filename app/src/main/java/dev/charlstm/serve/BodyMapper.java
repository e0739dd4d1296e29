package dev.charlstm.serve;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.charlstm.io.Json;
import dev.charlstm.io.StrictUtf8;
import io.javalin.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.nio.charset.CharacterCodingException;
import java.util.concurrent.TimeoutException;

/**
 * The service's Javalin JSON mapper: {@link Json#MAPPER} both ways, and request bodies read with
 * the service's limits and turned into one-line 400s that name what is wrong.
 *
 * <p>Handlers read bodies with {@code ctx.bodyStreamAsClass}, which hands this mapper the raw
 * stream: {@code ctx.bodyAsClass} would first read the whole body into memory however long a
 * chunked body runs, and decode it leniently, turning invalid UTF-8 into replacement characters.
 * A declared {@code Content-Length} over the limit is refused before the handler runs.
 */
final class BodyMapper implements JsonMapper {

    private final ServiceLimits limits;

    BodyMapper(ServiceLimits limits) {
        this.limits = limits;
    }

    @Override
    public String toJsonString(Object obj, Type type) {
        return Json.write(obj);
    }

    @Override
    public <T> T fromJsonStream(InputStream body, Type type) {
        return fromJsonString(read(body), type);
    }

    @Override
    public <T> T fromJsonString(String json, Type type) {
        T value;
        try {
            value = Json.MAPPER.readValue(json, Json.MAPPER.constructType(type));
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.badRequest("unknown field '" + e.getPropertyName() + "'");
        } catch (MismatchedInputException e) {
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Trailing token")) {
                throw ApiException.badRequest(malformed(e, "more than one JSON value in the body"));
            }
            String field = e.getPath().isEmpty() ? null : e.getPath().get(e.getPath().size() - 1).getFieldName();
            throw ApiException.badRequest(field != null ? "field '" + field + "' has the wrong type"
                    : "the body must be a JSON object");
        } catch (InputCoercionException e) {
            throw ApiException.badRequest("a number is out of range: " + clean(e.getOriginalMessage()));
        } catch (JacksonException e) {
            throw ApiException.badRequest(malformed(e, clean(e.getOriginalMessage())));
        }
        if (value == null) { // the body was the JSON literal null
            throw ApiException.badRequest("the body must be a JSON object");
        }
        return value;
    }

    /** Refuses a declared length over the limit before anything is read. */
    void checkDeclaredLength(long contentLength) {
        if (contentLength > limits.maxBodyBytes()) {
            throw tooLarge();
        }
    }

    /** The body, read up to the limit whatever its framing (a chunked body declares no length). */
    private String read(InputStream in) {
        byte[] bytes;
        try {
            bytes = in.readNBytes(limits.maxBodyBytes() + 1);
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof TimeoutException) {
                    throw new ApiException(408, "timeout", "the body did not arrive within "
                            + limits.idleTimeoutMs() / 1000.0 + " s");
                }
            }
            throw ApiException.badRequest("the body could not be read: " + rootMessage(e));
        }
        if (bytes.length > limits.maxBodyBytes()) {
            throw tooLarge();
        }
        if (bytes.length == 0) {
            throw ApiException.badRequest("the body is empty; send a JSON object");
        }
        try {
            // Java's decoder refuses overlong forms (C0 AF for '/'), encoded surrogates and stray bytes.
            return StrictUtf8.decode(bytes);
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("the body is not valid UTF-8");
        }
    }

    /** A 413; its answer closes the connection, because the rest of the body is not read. */
    private ApiException tooLarge() {
        return new ApiException(413, "too_large", "the request body exceeds " + limits.maxBodyBytes() + " bytes");
    }

    private static String malformed(JacksonException e, String what) {
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? "malformed JSON: " + what
                : "malformed JSON at line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " + what;
    }

    /** Jackson's message without its location and source notes, on one line. */
    private static String clean(String message) {
        if (message == null) {
            return "unreadable";
        }
        String m = message.split("\\R", 2)[0];
        int at = m.indexOf(" at [Source");
        return truncate((at >= 0 ? m.substring(0, at) : m).trim());
    }

    static String truncate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}

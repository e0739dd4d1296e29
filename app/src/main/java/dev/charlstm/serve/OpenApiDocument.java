package dev.charlstm.serve;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 description of the whole HTTP API, kept beside this
 * class as a resource. Open without a token, like the page: it describes the API and holds no data.
 */
final class OpenApiDocument {

    private OpenApiDocument() {}

    static void serve(Context ctx) throws IOException {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream("openapi.json")) {
            ctx.contentType("application/json").result(in.readAllBytes());
        }
    }
}

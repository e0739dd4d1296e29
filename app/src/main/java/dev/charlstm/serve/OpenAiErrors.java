package dev.charlstm.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one error body of the service, on both of its APIs:
 * {@code {"error": {"message", "type", "param", "code"}}}. It is OpenAI's shape, and it keeps
 * charlstm's own {@code code} and {@code message}, so clients of either API read it unchanged.
 */
final class OpenAiErrors {

    private OpenAiErrors() {}

    static Map<String, Object> body(ApiException e) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", e.getMessage());
        error.put("type", type(e.status));
        error.put("param", e.param);
        error.put("code", e.code);
        return Map.of("error", error);
    }

    /** OpenAI's error types by status; its clients pick their exception class from the status. */
    static String type(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            case 503 -> "service_unavailable_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }
}

package dev.charlstm.serve;

/** A request the service refuses: an HTTP status and a one-line reason, sent as a JSON error. */
final class ApiException extends RuntimeException {

    final int status;
    final String code;
    final Integer retryAfterSeconds;
    /** The request field at fault, for OpenAI clients' {@code error.param}; null when none is. */
    final String param;

    ApiException(int status, String code, String message) {
        this(status, code, message, null);
    }

    ApiException(int status, String code, String message, Integer retryAfterSeconds) {
        this(status, code, message, retryAfterSeconds, null);
    }

    ApiException(int status, String code, String message, Integer retryAfterSeconds, String param) {
        // Map.of in the error response refuses null, so a message-less exception must not become a 500.
        super(message == null || message.isBlank() ? code.replace('_', ' ') : message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
        this.param = param;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message);
    }

    /** A 400 naming the request field that caused it. */
    static ApiException badParam(String param, String message) {
        return new ApiException(400, "bad_request", message, null, param);
    }
}

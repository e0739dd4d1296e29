package dev.charlstm.serve;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The JSON body of {@code POST /v1/score}. Both fields are kept as JSON values so that a wrong
 * type gets the message that names the field and its type ({@code 'text' must be a string}).
 */
record ScoreRequest(@JsonProperty("model") JsonNode model, @JsonProperty("text") JsonNode text) {

    /** The model asked for, or null for the only one served. */
    String modelName() {
        return model == null ? null : model.asText();
    }

    /** Checks the fields' types and the text against the service's limit; returns the text. */
    String checkedText(ServiceLimits limits) {
        if (text == null || !text.isTextual()) {
            throw ApiException.badRequest("'text' must be a string");
        }
        if (model != null && !model.isTextual()) {
            throw ApiException.badRequest("'model' must be a string");
        }
        if (text.asText().length() > limits.maxScoreChars()) {
            throw ApiException.badRequest("'text' must be at most " + limits.maxScoreChars() + " characters");
        }
        return text.asText();
    }
}

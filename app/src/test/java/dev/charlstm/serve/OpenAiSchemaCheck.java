package dev.charlstm.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks JSON against the subset of JSON Schema the OpenAPI document uses: {@code $ref} into the
 * document, {@code type} (one or a list), {@code required}, {@code properties},
 * {@code additionalProperties}, {@code items}, {@code enum} and {@code oneOf}.
 */
final class OpenAiSchemaCheck {

    private final JsonNode document;

    OpenAiSchemaCheck(JsonNode document) {
        this.document = document;
    }

    /** Every way {@code value} breaks {@code schema}, as "path: problem"; empty when it conforms. */
    List<String> problems(JsonNode schema, JsonNode value) {
        List<String> problems = new ArrayList<>();
        check(schema, value, "$", problems);
        return problems;
    }

    private void check(JsonNode schema, JsonNode value, String path, List<String> problems) {
        if (schema.has("$ref")) {
            check(resolve(schema.get("$ref").asText()), value, path, problems);
            return;
        }
        if (schema.has("oneOf")) {
            int matches = 0;
            for (JsonNode option : schema.get("oneOf")) {
                matches += problems(option, value).isEmpty() ? 1 : 0;
            }
            if (matches != 1) {
                problems.add(path + ": matches " + matches + " of the oneOf options, not exactly one");
            }
        }
        if (schema.has("type") && !typeMatches(schema.get("type"), value)) {
            problems.add(path + ": is " + value.getNodeType() + ", documented as " + schema.get("type"));
            return;
        }
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode allowed : schema.get("enum")) {
                listed |= allowed.equals(value);
            }
            if (!listed) {
                problems.add(path + ": " + value + " is not one of " + schema.get("enum"));
            }
        }
        if (value.isObject()) {
            for (JsonNode required : schema.path("required")) {
                if (!value.has(required.asText())) {
                    problems.add(path + ": lacks the required field '" + required.asText() + "'");
                }
            }
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.get("additionalProperties");
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (properties.has(field.getKey())) {
                    check(properties.get(field.getKey()), field.getValue(), path + "." + field.getKey(), problems);
                } else if (additional != null && additional.isBoolean() && !additional.asBoolean()) {
                    problems.add(path + ": has the undocumented field '" + field.getKey() + "'");
                } else if (additional != null && additional.isObject()) {
                    check(additional, field.getValue(), path + "." + field.getKey(), problems);
                }
            }
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(schema.get("items"), value.get(i), path + "[" + i + "]", problems);
            }
        }
    }

    JsonNode resolve(String ref) {
        if (!ref.startsWith("#/")) {
            throw new IllegalArgumentException("only local references are used: " + ref);
        }
        JsonNode node = document;
        for (String part : ref.substring(2).split("/")) {
            node = node.path(part);
        }
        if (node.isMissingNode()) {
            throw new AssertionError("the document has no " + ref);
        }
        return node;
    }

    private static boolean typeMatches(JsonNode type, JsonNode value) {
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (typeMatches(t, value)) {
                    return true;
                }
            }
            return false;
        }
        return switch (type.asText()) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> throw new AssertionError("unknown type " + type);
        };
    }
}

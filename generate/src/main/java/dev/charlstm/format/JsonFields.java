package dev.charlstm.format;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Typed reads out of a JSON object parsed by jackson-jr, each failing with the field's name. */
final class JsonFields {

    private JsonFields() {}

    static Map<String, Object> object(byte[] json, String what) {
        Object value;
        try (JsonParser parser = JSON.std.createParser(json)) {
            value = JSON.std.anyFrom(parser);
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("is not valid JSON: more follows its value");
            }
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            int nl = m.indexOf('\n');
            throw new IllegalArgumentException("is not valid JSON: " + (nl < 0 ? m : m.substring(0, nl)));
        }
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("is not a JSON object");
        }
        return cast(value);
    }

    static String string(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw wrong(key, "a string", v);
    }

    static int intValue(Map<String, Object> m, String key, int absent) {
        long v = longValue(m, key, absent);
        if (v != (int) v) {
            throw wrong(key, "a 32-bit integer", v);
        }
        return (int) v;
    }

    static long longValue(Map<String, Object> m, String key, long absent) {
        Object v = m.get(key);
        if (v == null) {
            return absent;
        }
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        throw wrong(key, "an integer", v);
    }

    /**
     * A number, or null when absent. {@code "NaN"} and {@code "Infinity"} (as Jackson writes
     * non-finite doubles, and older charlstm versions did for a loss never measured) read as absent.
     */
    static Double doubleOrNull(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null || "NaN".equals(v) || "Infinity".equals(v) || "-Infinity".equals(v)) {
            return null;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw wrong(key, "a number", v);
    }

    static Map<String, Object> objectOrNull(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null || v instanceof Map) {
            return v == null ? null : cast(v);
        }
        throw wrong(key, "an object", v);
    }

    static List<Object> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v instanceof List<?> l) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) l;
            return list;
        }
        throw wrong(key, "an array", v);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Object map) {
        return (Map<String, Object>) map;
    }

    private static IllegalArgumentException wrong(String key, String expected, Object got) {
        return new IllegalArgumentException("its \"" + key + "\" is " + (got == null ? "missing" : "not " + expected
                + " (" + quoted(got) + ")"));
    }

    /** A value for a one-line message: strings quoted, control characters escaped, long values cut. */
    static String quoted(Object value) {
        String text = value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
        StringBuilder out = new StringBuilder();
        int i = 0;
        for (; i < text.length() && out.length() < 200; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return i < text.length() ? out + "…" : out.toString();
    }
}

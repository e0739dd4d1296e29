package dev.charlstm.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * The application's one Jackson configuration: the service's request bodies, the command line's
 * JSON output, and every JSON file the application writes (metrics, provenance). Files that must
 * read whatever a page or an older version holds (JSON-LD in scraped pages, the trainer's state in
 * old checkpoints) read with Jackson's lenient defaults instead; the model file's own JSON is the
 * library's ({@code dev.charlstm.format}).
 *
 * <p>{@link #MAPPER} reads JSON as written: no numbers as strings, strings as numbers or
 * fractions as integers, no unknown fields, one value per body, and each key once (with two,
 * which one wins would be up to the parser). It writes compactly; {@link #PRETTY} indents.
 */
public final class Json {

    /** Strict reader and compact writer. */
    public static final ObjectMapper MAPPER = strict();

    /** Indented output, for files and terminals. */
    public static final ObjectWriter PRETTY = MAPPER.writer(SerializationFeature.INDENT_OUTPUT);

    /**
     * Reads a tree that may repeat a key, the last one winning, as OpenAI's API does; everything
     * else as strict as {@link #MAPPER}.
     */
    public static final ObjectReader TREE_ALLOWING_DUPLICATES = MAPPER.reader()
            .without(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Json() {}

    private static ObjectMapper strict() {
        ObjectMapper mapper = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
        // In the reading configuration, not the parser factory, so that a reader can turn it off again.
        mapper.setConfig(mapper.getDeserializationConfig().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION));
        var textual = mapper.coercionConfigFor(LogicalType.Textual);
        for (CoercionInputShape shape : new CoercionInputShape[] {
                CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean}) {
            textual.setCoercion(shape, CoercionAction.Fail);
        }
        return mapper;
    }

    /** Compact JSON text of a value that is known to be serialisable (maps, lists, records). */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not serialisable as JSON: " + value.getClass().getName(), e);
        }
    }
}

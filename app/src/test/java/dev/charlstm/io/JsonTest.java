package dev.charlstm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JacksonException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The application's one Jackson configuration. */
class JsonTest {

    record Body(String text, int length) {}

    @Test
    void theMapperReadsJsonOnlyAsWritten() {
        assertThatThrownBy(() -> Json.MAPPER.readValue("{\"text\":\"a\",\"length\":1,\"extra\":0}", Body.class))
                .isInstanceOf(JacksonException.class).hasMessageContaining("extra");
        assertThatThrownBy(() -> Json.MAPPER.readValue("{\"text\":5,\"length\":1}", Body.class))
                .isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> Json.MAPPER.readValue("{\"text\":\"a\",\"length\":\"1\"}", Body.class))
                .isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> Json.MAPPER.readValue("{\"text\":\"a\",\"length\":1.5}", Body.class))
                .isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> Json.MAPPER.readValue("{\"text\":\"a\",\"text\":\"b\",\"length\":1}", Body.class))
                .isInstanceOf(JacksonException.class).hasMessageContaining("Duplicate field 'text'");
        assertThatThrownBy(() -> Json.MAPPER.readTree("{} {}")).isInstanceOf(JacksonException.class);
    }

    @Test
    void theOpenAiReaderLetsTheLastOfARepeatedKeyWinButStillRefusesTrailingValues() throws Exception {
        assertThat(Json.TREE_ALLOWING_DUPLICATES.readTree("{\"n\":1,\"n\":2}").get("n").asInt()).isEqualTo(2);
        assertThatThrownBy(() -> Json.TREE_ALLOWING_DUPLICATES.readTree("{\"n\":1}{}"))
                .isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> Json.MAPPER.readTree("{\"n\":1,\"n\":2}")).isInstanceOf(JacksonException.class);
    }

    @Test
    void writingIsCompactUnlessPretty() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("a", 1);
        value.put("b", List.of("x"));
        assertThat(Json.write(value)).isEqualTo("{\"a\":1,\"b\":[\"x\"]}");
        assertThat(Json.PRETTY.writeValueAsString(value)).contains("\n").contains("\"a\" : 1");
    }
}

package dev.charlstm.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charlstm.generate.GenerationOptions;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** {@code /v1/generate} bodies read as the service reads them, through its JSON mapper, without HTTP. */
class GenerateRequestTest {

    static final ServiceLimits LIMITS = ServiceLimits.defaults();
    static final BodyMapper JSON = new BodyMapper(LIMITS);

    static GenerationOptions options(String body) {
        GenerateRequest request = JSON.fromJsonString(body, GenerateRequest.class);
        return request.toOptions(LIMITS);
    }

    static AbstractThrowableAssert<?, ? extends Throwable> refused(String body) {
        return assertThatThrownBy(() -> options(body)).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).status).isEqualTo(400));
    }

    @Test
    void anEmptyObjectTakesTheLibrarysDefaults() {
        GenerationOptions o = options("{}");
        assertThat(o).isEqualTo(GenerationOptions.builder().build());
        assertThat(o.prime()).isEqualTo("Th");
        assertThat(o.length()).isEqualTo(200);
        assertThat(o.temperature()).isEqualTo(0.8);
        assertThat(o.topK()).isZero();
        assertThat(o.topP()).isEqualTo(1.0);
        assertThat(o.count()).isEqualTo(1);
        assertThat(o.seed()).isNull();
        assertThat(o.stop()).isEmpty();
    }

    @Test
    void everyFieldIsCarriedOver() {
        GenerateRequest r = JSON.fromJsonString("{\"model\":\"faq\",\"prime\":\"Masks\",\"length\":12,"
                + "\"temperature\":0.5,\"top_k\":3,\"top_p\":0.9,\"seed\":42,\"count\":2,\"stop\":[\".\"],"
                + "\"stream\":true}", GenerateRequest.class);
        assertThat(r.model()).isEqualTo("faq");
        assertThat(r.stream()).isTrue();
        assertThat(r.toOptions(LIMITS)).isEqualTo(GenerationOptions.builder().prime("Masks").length(12)
                .temperature(0.5).topK(3).topP(0.9).seed(42L).count(2).stop(List.of(".")).build());
    }

    @Test
    void aSeedIsANumberOrAStringOfDigitsWithinALong() {
        assertThat(options("{\"seed\":\"-9223372036854775808\"}").seed()).isEqualTo(Long.MIN_VALUE);
        assertThat(options("{\"seed\":9223372036854775807}").seed()).isEqualTo(Long.MAX_VALUE);
        assertThat(options("{\"seed\":null}").seed()).isNull();
        for (String seed : List.of("\"9223372036854775808\"", "9223372036854775808", "1.5", "\"12a\"", "true", "[]")) {
            refused("{\"seed\":" + seed + "}").as(seed).hasMessageStartingWith("seed must be an integer in [");
        }
    }

    @Test
    void fieldsOutsideTheServicesLimitsAreRefusedWithTheirRange() {
        refused("{\"length\":-1}").hasMessage("length must be in [0, 10000], got -1");
        refused("{\"length\":10001}").hasMessage("length must be in [0, 10000], got 10001");
        refused("{\"count\":0}").hasMessage("count must be in [1, 16], got 0");
        refused("{\"count\":17}").hasMessage("count must be in [1, 16], got 17");
        refused("{\"prime\":\"" + "a".repeat(10_001) + "\"}").hasMessage("prime must be at most 10000 characters");
        refused("{\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]}").hasMessage("at most 8 stop strings");
        refused("{\"stop\":[\".\",null]}").hasMessage("stop strings must be strings, not null");
        refused("{\"stop\":[\"" + "x".repeat(65) + "\"]}").hasMessage("stop strings must be at most 64 characters");
    }

    @Test
    void theLibrarysOwnChecksBecomeA400() {
        refused("{\"temperature\":-0.5}").hasMessage("temperature must be in [0, 100], got -0.5");
        refused("{\"top_p\":0}").hasMessage("top-p must be in (0, 1], got 0.0");
        refused("{\"top_k\":-1}").hasMessageStartingWith("top-k must be >= 0");
        refused("{\"prime\":\"\"}").hasMessage("prime must have at least one character");
        refused("{\"stop\":[\"\"]}").hasMessage("stop strings must not be empty");
    }

    @Test
    void unknownFieldsWrongTypesAndNonObjectsAreNamed() {
        refused("{\"lenght\":5}").hasMessage("unknown field 'lenght'");
        refused("{\"length\":\"5\"}").hasMessage("field 'length' has the wrong type");
        refused("{\"length\":5.5}").hasMessage("field 'length' has the wrong type");
        refused("{\"prime\":5}").hasMessage("field 'prime' has the wrong type");
        refused("{\"stream\":\"yes\"}").hasMessage("field 'stream' has the wrong type");
        refused("{\"stop\":\".\"}").hasMessage("field 'stop' has the wrong type");
        for (String body : List.of("null", "[]", "5", "\"text\"")) {
            refused(body).as(body).hasMessage("the body must be a JSON object");
        }
    }

    @Test
    void malformedJsonSaysWhere() {
        refused("{\"length\":5,\"length\":6}").hasMessageStartingWith("malformed JSON at line 1, column ")
                .hasMessageContaining("Duplicate field 'length'");
        refused("{\"length\":5}{}").hasMessageStartingWith("malformed JSON at line 1, column ")
                .hasMessageEndingWith("more than one JSON value in the body");
        refused("{\"length\":").hasMessageStartingWith("malformed JSON");
        refused("{\"length\":99999999999999999999}").hasMessageStartingWith("malformed JSON at line 1, column ")
                .hasMessageContaining("out of range of int");
    }
}

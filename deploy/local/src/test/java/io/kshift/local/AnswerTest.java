package io.kshift.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.Codecs;
import org.junit.jupiter.api.Test;

/** What the CLI prints of an answer: a refusal before any verdict says why, not only its status. */
class AnswerTest {

    private static KshiftClient.Answer answer(int status, String json) throws Exception {
        return new KshiftClient.Answer(status, Codecs.json().readTree(json));
    }

    @Test
    void aRefusalsMessageLineAndNeededRoleArePrinted() throws Exception {
        assertThat(answer(400, "{\"message\":\"body is not valid YAML: bad\",\"line\":3,\"column\":7}").describe())
                .isEqualTo("400 \n    body is not valid YAML: bad (line 3, column 7)");
        assertThat(answer(503, "{\"message\":\"Kafka did not answer\",\"line\":0,\"column\":0}").describe())
                .as("no place to name").isEqualTo("503 \n    Kafka did not answer");
        assertThat(answer(403, "{\"message\":\"editors only\",\"needed\":\"editor\"}").describe())
                .isEqualTo("403 \n    editors only (needs editor)");
        assertThat(answer(422, "{\"status\":\"REJECTED\",\"errors\":[{\"resource\":\"VirtualService default/a\","
                + "\"field\":\"spec.hosts\",\"message\":\"is required\"}]}").describe())
                .isEqualTo("422 REJECTED\n    error: VirtualService default/a: spec.hosts: is required");
    }
}

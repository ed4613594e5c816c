package io.kshift.config.change;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

/** What a client hears when Kafka does not take its change, or does not say whether it did. */
class AnsweredTest {
    private static String answer(Throwable failure) {
        var keyed = new IdempotencyKeys().keyed(null, "alice", "APPLY", "", "application/yaml", new byte[0]);
        var response = ChangeResource.answered(Uni.createFrom().failure(failure), new IdempotencyKeys(), keyed, false)
                .await().indefinitely();
        assertThat(response.getStatus()).isEqualTo(503);
        return response.getEntity().toString() + " " + keyed.changeId();
    }

    @Test
    void aTimedOutSendNamesTheChangeForItMayHaveReachedTheBus() {
        String timedOut = answer(new RuntimeException(new org.apache.kafka.common.errors.TimeoutException(
                "Expiring 1 record(s) for kshift.changes-0: 10000 ms has passed since batch creation")));
        String id = timedOut.substring(timedOut.lastIndexOf(' ') + 1);
        assertThat(id).isNotBlank();
        assertThat(timedOut).contains("did not confirm change " + id).contains("GET /api/v1/changes/" + id);
        assertThat(answer(new org.apache.kafka.common.errors.RecordTooLargeException("too large")))
                .contains("Kafka did not take the change: too large");
    }
}

package io.kshift.validator.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import io.kshift.model.event.ValidationMessage;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** A change the validator failed on is answered under its id, to its submitter, as the dry run it was. */
class FailedChangeTest {
    @Test
    void theVerdictKeepsWhoSentTheChangeAndThatItWasADryRun() {
        ChangeRequested change = ChangeRequested.of("c-42", Instant.EPOCH, Operation.APPLY, List.of(), true)
                .by("alice");
        var verdict = ChangeEnvelope.failed(MeshSnapshot.empty(), new ConsumerRecord<>("kshift.changes", 0, 7L,
                "mesh", new byte[0]), change, List.of(new ValidationMessage("change", "", "the validator failed")),
                "validator failure");
        var result = verdict.decision().result();
        assertThat(result.changeId()).isEqualTo("c-42");
        assertThat(result.status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(result.submittedBy()).as("its submitter finds it (GET /changes/{id})").isEqualTo("alice");
        assertThat(result.dryRun()).isTrue();
        assertThat(verdict.deadLetter()).isEqualTo("validator failure");
        assertThat(verdict.decision().next()).isEmpty();
    }
}

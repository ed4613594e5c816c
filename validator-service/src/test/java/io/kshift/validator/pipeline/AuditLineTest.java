package io.kshift.validator.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.ResourceAction;
import io.kshift.model.event.Schemas;
import io.kshift.model.event.ValidationMessage;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AuditLineTest {
    @Test
    void namesWhoAskedWhatAndTheVerdictOnOneLine() {
        ChangeResult accepted = new ChangeResult(Schemas.CHANGE_RESULT, "c-1", ChangeStatus.ACCEPTED, 12, false,
                List.of(new ResourceAction("VirtualService", "default", "tcp-echo", ResourceAction.Action.CONFIGURED)),
                List.of(), List.of(), Instant.now()).withValidationMillis(7).withSubmittedBy("alice");
        assertThat(AuditLine.of(accepted, 900)).isEqualTo("change c-1 by alice: ACCEPTED generation 12 "
                + "[VirtualService default/tcp-echo CONFIGURED] (decided in 7 ms, snapshot 900 bytes)");

        ChangeResult rejected = new ChangeResult(Schemas.CHANGE_RESULT, "c-2", ChangeStatus.REJECTED, 12, true,
                List.of(), List.of(new ValidationMessage("VirtualService default/x", "spec.tcp", "bad")), List.of(),
                Instant.now());
        assertThat(AuditLine.of(rejected, 0)).startsWith("change c-2 by (unknown): dry run REJECTED generation 12 []"
                + " errors [VirtualService default/x spec.tcp: bad]");
    }

    @Test
    void aSubjectCannotForgeASecondLineAndABulkChangeStaysOneReadableLine() {
        ChangeResult forged = new ChangeResult(Schemas.CHANGE_RESULT, "c-3", ChangeStatus.ACCEPTED, 1, false,
                IntStream.range(0, 900).mapToObj(i -> new ResourceAction("Service", "ns", "svc-" + i,
                        ResourceAction.Action.CREATED)).toList(), List.of(), List.of(), Instant.now())
                .withSubmittedBy("eve\nchange c-4 by admin: ACCEPTED");
        String line = AuditLine.of(forged, 0);
        assertThat(line).doesNotContain("\n").contains("by eve\\u000achange c-4")
                .contains("Service ns/svc-19 CREATED, and 880 more]").doesNotContain("svc-20 ");
    }
}

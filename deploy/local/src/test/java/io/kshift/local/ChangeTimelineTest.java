package io.kshift.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.Operation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeTimelineTest {
    @Test
    void readsTheIdOfAChangeAsTheConfigServiceWritesIt() {
        ChangeRequested change = ChangeRequested.of("id-42", Instant.EPOCH, Operation.APPLY, List.of(), false);
        assertThat(ChangeTimeline.changeId(EventCodec.encode(change).getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("id-42");
        assertThat(ChangeTimeline.changeId("{\"resources\":[{\"changeId\":\"inner\"}],\"changeId\":\"outer\"}"
                .getBytes(StandardCharsets.UTF_8))).as("a nested field is not the change's").isEqualTo("outer");
        assertThat(ChangeTimeline.changeId("not json".getBytes(StandardCharsets.UTF_8))).isNull();
    }
}

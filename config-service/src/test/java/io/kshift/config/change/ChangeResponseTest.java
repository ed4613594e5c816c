package io.kshift.config.change;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.Schemas;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status code says whether everything the caller waited for holds; the body's shape stays the same. */
class ChangeResponseTest {
    private static final ChangeResponse ACCEPTED = ChangeResponse.of(new ChangeResult(Schemas.CHANGE_RESULT, "c-1",
            ChangeStatus.ACCEPTED, 8, false, List.of(), List.of(), List.of(), Instant.EPOCH));

    @Test
    void anAcceptedChangeThisInstanceDoesNotShowYetIs202() {
        assertThat(ACCEPTED.httpStatus()).isEqualTo(200);
        ChangeResponse behind = ACCEPTED.notShownHere();
        assertThat(behind.httpStatus()).isEqualTo(202);
        assertThat(behind.status()).isEqualTo(ChangeStatus.ACCEPTED);
        assertThat(behind.generation()).isEqualTo(8L);
        assertThat(EventCodec.encode(behind)).as("no new field in the answer").isEqualTo(EventCodec.encode(ACCEPTED));
        assertThat(behind.withSync(null).httpStatus()).as("kept with the proxies' report").isEqualTo(202);
    }
}

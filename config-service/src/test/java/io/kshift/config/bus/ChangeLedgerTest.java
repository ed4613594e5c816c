package io.kshift.config.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.Schemas;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Waiting for verdicts: each request's wait is its own, and leaves nothing behind when it ends. */
class ChangeLedgerTest {
    private final ChangeLedger ledger = new ChangeLedger();

    @Test
    void aRequestThatStopsWaitingDoesNotEndAnotherWaitForTheSameChange() {
        var first = ledger.await("c1", Duration.ofSeconds(30)).subscribe()
                .withSubscriber(UniAssertSubscriber.create());
        var retry = ledger.await("c1", Duration.ofSeconds(30)).subscribe()
                .withSubscriber(UniAssertSubscriber.create());
        assertThat(ledger.waiting()).isEqualTo(2);

        first.cancel(); // the first client went away (or its wait was cut short)
        assertThat(ledger.waiting()).isEqualTo(1);
        retry.assertNotTerminated();

        ledger.onResult(EventCodec.encode(accepted("c1", 7)));
        Optional<ChangeResult> verdict = retry.awaitItem().getItem();
        assertThat(verdict).map(ChangeResult::generation).contains(7L);
        assertThat(ledger.waiting()).isZero();
    }

    @Test
    void aVerdictKnownBeforeTheWaitAnswersAtOnceAndATimedOutWaitLeaves() {
        ledger.onResult(EventCodec.encode(accepted("c2", 3)));
        assertThat(ledger.await("c2", Duration.ofSeconds(30)).await().atMost(Duration.ofSeconds(1)))
                .map(ChangeResult::generation).contains(3L);
        assertThat(ledger.await("c3", Duration.ofMillis(50)).await().atMost(Duration.ofSeconds(5))).isEmpty();
        assertThat(ledger.waiting()).isZero();
    }

    static ChangeResult accepted(String changeId, long generation) {
        return new ChangeResult(Schemas.CHANGE_RESULT, changeId, ChangeStatus.ACCEPTED, generation, false, List.of(),
                List.of(), List.of(), Instant.EPOCH, 1, "someone");
    }
}

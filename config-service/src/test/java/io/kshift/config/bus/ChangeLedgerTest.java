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

    @Test
    void keptVerdictsAreBoundedBySizeAndOnlyTheNewestKeepTheirDiffs() {
        String diff = "x".repeat(1 << 20); // a MB of YAML diff per dry run
        int n = (int) (ChangeLedger.REMEMBERED_CHARS >> 20) * 2;
        for (int i = 0; i < n; i++) {
            ledger.onResult(EventCodec.encode(new ChangeResult(Schemas.CHANGE_RESULT, "d" + i, ChangeStatus.ACCEPTED,
                    0, true, List.of(new io.kshift.model.event.ResourceAction("Service", "default", "s" + i,
                    io.kshift.model.event.ResourceAction.Action.CONFIGURED, diff)), List.of(), List.of(), Instant.EPOCH, 1, "ci")));
        }
        assertThat(ledger.keptChars()).as("within the diff budget plus the rest, stripped")
                .isLessThanOrEqualTo(ChangeLedger.DIFF_CHARS + (2 << 20) + n * 1000L);
        assertThat(ledger.result("d" + (n - 1))).get().satisfies(r ->
                assertThat(r.resources().get(0).diff()).as("the newest keeps its diff").isEqualTo(diff));
        assertThat(ledger.result("d0")).get().satisfies(r -> {
            assertThat(r.resources().get(0).diff()).as("an old one is kept without it").isNull();
            assertThat(r.resources().get(0).name()).isEqualTo("s0");
        });

        String big = "y".repeat(1 << 20);
        for (int i = 0; i < n; i++) { // verdicts without diffs, a MB each (thousands of resources listed)
            ledger.onResult(EventCodec.encode(new ChangeResult(Schemas.CHANGE_RESULT, "b" + i, ChangeStatus.REJECTED,
                    0, false, List.of(), List.of(new io.kshift.model.event.ValidationMessage("r", "f", big)),
                    List.of(), Instant.EPOCH, 1, "ci")));
        }
        assertThat(ledger.keptChars()).isLessThanOrEqualTo(ChangeLedger.REMEMBERED_CHARS);
        assertThat(ledger.result("b0")).as("the oldest went").isEmpty();
        assertThat(ledger.result("b" + (n - 1))).isPresent();
    }

    static ChangeResult accepted(String changeId, long generation) {
        return new ChangeResult(Schemas.CHANGE_RESULT, changeId, ChangeStatus.ACCEPTED, generation, false, List.of(),
                List.of(), List.of(), Instant.EPOCH, 1, "someone");
    }
}

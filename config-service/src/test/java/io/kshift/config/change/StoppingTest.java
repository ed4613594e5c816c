package io.kshift.config.change;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The stop signal: ends every wait in progress, answers later ones at once, and keeps nothing of finished waits. */
class StoppingTest {
    @Test
    void waitsThatEndBeforeTheStopLeaveNothingAndTheStopEndsTheRest() {
        Stopping stopping = new Stopping();
        for (int i = 0; i < 1000; i++) {
            stopping.signal().subscribe().withSubscriber(UniAssertSubscriber.create()).cancel();
        }
        assertThat(stopping.waiting()).as("requests answered before the stop").isZero();

        var waiting = stopping.signal().subscribe().withSubscriber(UniAssertSubscriber.create());
        waiting.assertNotTerminated();
        stopping.stop();
        waiting.awaitItem(Duration.ofSeconds(1));
        stopping.signal().subscribe().withSubscriber(UniAssertSubscriber.create()).awaitItem(Duration.ofSeconds(1));
        assertThat(stopping.waiting()).isZero();
    }
}

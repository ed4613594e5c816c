package io.kshift.config.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Whole generations are rebuilt a few at a time; a request that finds no slot in time is turned away. */
class FetchSlotsTest {
    @Test
    void aRebuildBeyondTheSlotsIsTurnedAwayUntilOneIsGivenBack() {
        FetchSlots slots = new FetchSlots(2);
        FetchSlots.Slot first = slots.take();
        FetchSlots.Slot second = slots.take();
        assertThatThrownBy(slots::take).isInstanceOf(FetchSlots.Busy.class).hasMessageContaining("retry");
        first.close();
        try (FetchSlots.Slot third = slots.take()) {
            assertThat(third).isNotNull();
        }
        second.close();
    }

    /** Reads any viewer may send cannot take every slot a rollback needs: one is kept for rollbacks. */
    @Test
    void aRollbackFindsItsOwnSlotWhenReadsHoldTheShared() {
        FetchSlots slots = new FetchSlots(2);
        FetchSlots.Slot a = slots.take();
        FetchSlots.Slot b = slots.take();
        assertThatThrownBy(slots::take).as("a third read").isInstanceOf(FetchSlots.Busy.class);
        FetchSlots.Slot rollback = slots.take(true);
        assertThatThrownBy(() -> slots.take(true)).as("one rollback slot").isInstanceOf(FetchSlots.Busy.class);
        rollback.close();
        assertThatThrownBy(slots::take).as("the rollback slot is not for reads").isInstanceOf(FetchSlots.Busy.class);
        a.close();
        b.close();
    }
}

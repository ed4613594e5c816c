package io.kshift.config.history;

import java.util.concurrent.Semaphore;

/**
 * How many whole generations this instance rebuilds at once. Each rebuild reads up to two records of up to 10 MiB
 * from the history and decodes them whole (tens of MB of heap at 20,000 resources) on a worker thread, and any
 * token that may read can ask for one: without a bound, a few hundred parallel {@code GET
 * /api/v1/generations/{n}} took the heap and the worker pool that applies and rollbacks run on too. A request that
 * finds no slot is answered 503 with Retry-After at once: one that waited would hold its worker thread meanwhile.
 */
final class FetchSlots {
    private final Semaphore slots;
    /**
     * One more slot that only rollbacks (admins) may take: GETs any viewer may send kept every shared slot busy and a
     * rollback during an incident was answered 503.
     */
    private final Semaphore rollback = new Semaphore(1);

    FetchSlots(int slots) {
        this.slots = new Semaphore(Math.max(1, slots));
    }

    /** A slot, to be closed once the rebuild is done; throws {@link Busy} when none is free. */
    Slot take() {
        return take(false);
    }

    /** {@code forRollback}: the rollback's own slot when the shared ones are taken. */
    Slot take(boolean forRollback) {
        if (slots.tryAcquire()) {
            return slots::release;
        }
        if (forRollback && rollback.tryAcquire()) {
            return rollback::release;
        }
        throw new Busy();
    }

    /** A taken slot; closing gives it back. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /** Every slot was taken. */
    static final class Busy extends RuntimeException {
        Busy() {
            super("this config-service is rebuilding as many generations as it may at once; retry in a second",
                    null, false, false);
        }
    }
}

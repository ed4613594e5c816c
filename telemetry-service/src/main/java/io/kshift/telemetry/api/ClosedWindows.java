package io.kshift.telemetry.api;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.TelemetryWindow;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Channel {@code windows} ← topic {@code kshift.telemetry}: each closed window, broadcast to whoever is streaming
 * (server-sent events, the live page). A group of its own per start, from the newest record: a stream shows what
 * closes from now on; history is the REST query's.
 */
@ApplicationScoped
public class ClosedWindows {
    private final BroadcastProcessor<TelemetryWindow> broadcast = BroadcastProcessor.create();

    @Incoming("windows")
    public void onWindow(String json) {
        try {
            broadcast.onNext(EventCodec.decode(json, TelemetryWindow.class));
        } catch (RuntimeException e) {
            // Not a window we can read (a newer schema): nothing to show.
        }
    }

    /**
     * A subscriber's own stream of the windows it asked for, or empty when {@link #MAX_STREAMS} are open already. The
     * broadcast fails a subscriber that has not asked for the next item when it comes (an SSE writer still writing
     * the last one when a burst of windows closes), which ended streams; each subscriber gets a buffer instead, of
     * its own windows only (filtered before, not after: a stalled client of one service held every service's), and
     * only one that falls this far behind is cut off.
     */
    public java.util.Optional<Multi<TelemetryWindow>> stream(java.util.function.Predicate<TelemetryWindow> wanted) {
        if (open.get() >= MAX_STREAMS) {
            return java.util.Optional.empty();
        }
        // Counted from its subscription to its end (a cancel too): a stream never subscribed holds no slot.
        return java.util.Optional.of(broadcast.filter(wanted).onOverflow().buffer(BUFFERED)
                .onSubscription().invoke(s -> open.incrementAndGet())
                .onTermination().invoke(open::decrementAndGet));
    }

    /** Streams open now (for tests: every stream leaves when its client does). */
    int open() {
        return open.get();
    }

    private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();

    /** Windows a streaming client may fall behind by: minutes of closes for hundreds of services. */
    static final int BUFFERED = 4096;
    /** Streams one instance serves at once: each holds a connection and up to {@link #BUFFERED} windows. */
    static final int MAX_STREAMS = 256;
}

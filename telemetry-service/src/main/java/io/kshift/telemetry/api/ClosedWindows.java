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

    public Multi<TelemetryWindow> stream() {
        return broadcast;
    }
}

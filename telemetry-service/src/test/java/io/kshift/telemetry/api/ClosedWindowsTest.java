package io.kshift.telemetry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.Schemas;
import io.kshift.model.event.TelemetryWindow;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Streams of closed windows: each its own service's, and only so many at once. */
class ClosedWindowsTest {
    private static String window(String service) {
        Instant t = Instant.parse("2026-12-07T10:00:00Z");
        return EventCodec.encode(new TelemetryWindow(Schemas.TELEMETRY_WINDOW, "default", service, "10s", t,
                t.plusSeconds(10), true, List.of(), Map.of()));
    }

    @Test
    void aStreamHoldsItsOwnServicesWindowsOnlyAndStreamsAreBounded() {
        ClosedWindows closed = new ClosedWindows();
        assertThat(closed.stream(w -> true)).isPresent();
        assertThat(closed.open()).as("a stream nobody subscribed to holds no slot").isZero();
        AssertSubscriber<TelemetryWindow> web = closed.stream(w -> w.service().equals("web")).orElseThrow()
                .subscribe().withSubscriber(AssertSubscriber.create(0));
        for (int i = 0; i < 10; i++) {
            closed.onWindow(window("other"));
        }
        closed.onWindow(window("web"));
        web.request(100);
        assertThat(web.getItems()).as("another service's windows never reached its buffer")
                .extracting(TelemetryWindow::service).containsExactly("web");

        List<AssertSubscriber<TelemetryWindow>> more = new ArrayList<>();
        for (int i = 1; i < ClosedWindows.MAX_STREAMS; i++) {
            more.add(closed.stream(w -> true).orElseThrow().subscribe().withSubscriber(AssertSubscriber.create(1)));
        }
        assertThat(closed.stream(w -> true)).as("one over the limit").isEmpty();
        web.cancel();
        assertThat(closed.open()).isEqualTo(ClosedWindows.MAX_STREAMS - 1);
        assertThat(closed.stream(w -> true)).as("a client that left makes room").isPresent();
        more.forEach(AssertSubscriber::cancel);
    }
}

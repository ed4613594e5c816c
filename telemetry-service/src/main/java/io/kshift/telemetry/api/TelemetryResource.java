package io.kshift.telemetry.api;

import io.kshift.model.event.TelemetryWindow;
import io.kshift.telemetry.window.TelemetryTopology;
import io.kshift.telemetry.window.WindowAggregate;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * {@code GET /api/v1/telemetry/{namespace}/{service}?window=10s&last=6}: the service's newest windows, read from
 * the topology's window stores (the open window included, {@code closed: false}); {@code .../stream}: every window
 * as it closes, as server-sent events. A short service name means {@code name.namespace.svc.cluster.local}.
 */
@Path("/api/v1/telemetry")
public class TelemetryResource {
    private final KafkaStreams streams;
    private final ClosedWindows closed;

    public TelemetryResource(KafkaStreams streams, ClosedWindows closed) {
        this.streams = streams;
        this.closed = closed;
    }

    @GET
    @Path("{namespace}/{service}")
    @Produces(MediaType.APPLICATION_JSON)
    public List<TelemetryWindow> windows(@PathParam("namespace") String namespace, @PathParam("service") String service,
                                         @QueryParam("window") @DefaultValue("10s") String window,
                                         @QueryParam("last") @DefaultValue("6") int last) {
        Duration size = TelemetryTopology.WINDOWS.get(window);
        if (size == null) {
            throw new WebApplicationException(Response.status(400).type(MediaType.APPLICATION_JSON)
                    .entity("{\"message\":\"window must be one of " + TelemetryTopology.WINDOWS.keySet() + "\"}").build());
        }
        ReadOnlyWindowStore<String, WindowAggregate> store;
        try {
            store = streams.store(StoreQueryParameters.fromNameAndType(TelemetryTopology.store(window),
                    QueryableStoreTypes.windowStore()));
        } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
            // Starting, restoring its state or rebalancing: the windows are there again shortly (it was a 500).
            throw new WebApplicationException(Response.status(503).header("Retry-After", "2")
                    .type(MediaType.APPLICATION_JSON).entity("{\"message\":\"telemetry windows are being restored"
                            + " (Kafka Streams: " + streams.state() + "); retry shortly\"}").build());
        }
        Instant now = Instant.now();
        List<TelemetryWindow> out = new ArrayList<>();
        int wanted = Math.max(1, last);
        // Windows are on the reports' time: the newest ones the store holds (it keeps 360 of each size), read from
        // the newest back and only as many as asked for (a page polling ?last=1 decoded all 360 before).
        try (var it = store.backwardFetch(key(namespace, service), Instant.EPOCH, now.plus(Duration.ofDays(1)))) {
            while (it.hasNext() && out.size() < wanted) {
                var kv = it.next();
                if (kv.value.versions.isEmpty()) {
                    continue; // only idle reports: no traffic to show (the published stream skips these too)
                }
                Instant start = Instant.ofEpochMilli(kv.key);
                Instant end = start.plus(size);
                out.add(kv.value.toWindow(window, start, end, end.plusSeconds(1).isBefore(now)));
            }
        }
        java.util.Collections.reverse(out);
        if (out.isEmpty() && !namespace.isBlank()) {
            throw new NotFoundException("no telemetry for " + key(namespace, service) + " in windows of " + window);
        }
        return out;
    }

    @GET
    @Path("{namespace}/{service}/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<TelemetryWindow> stream(@PathParam("namespace") String namespace, @PathParam("service") String service,
                                         @QueryParam("window") @DefaultValue("10s") String window) {
        if (!TelemetryTopology.WINDOWS.containsKey(window)) {
            throw new WebApplicationException(Response.status(400).type(MediaType.APPLICATION_JSON)
                    .entity("{\"message\":\"window must be one of " + TelemetryTopology.WINDOWS.keySet() + "\"}").build());
        }
        String key = key(namespace, service);
        return closed.stream(w -> (w.namespace() + "/" + w.service()).equals(key) && w.window().equals(window))
                .orElseThrow(() -> new WebApplicationException(Response.status(503).header("Retry-After", "10")
                        .type(MediaType.APPLICATION_JSON).entity("{\"message\":\"this instance streams to "
                                + ClosedWindows.MAX_STREAMS + " clients already; retry later\"}").build()));
    }

    static String key(String namespace, String service) {
        return namespace + "/" + (service.contains(".") ? service : service + "." + namespace + ".svc.cluster.local");
    }
}

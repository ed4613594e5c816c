package io.kshift.config.proxies;

import io.kshift.model.event.EventCodec;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** {@code GET /api/v1/proxies}: every proxy node, its generation and sync state against the live generation. */
@Path("/api/v1/proxies")
public class ProxyResource {
    private final ProxyFleet fleet;
    private final io.kshift.config.bus.LiveConfig live;

    public ProxyResource(ProxyFleet fleet, io.kshift.config.bus.LiveConfig live) {
        this.fleet = fleet;
        this.live = live;
    }

    @GET
    public Response proxies() {
        return Response.ok(EventCodec.encode(Map.of("generation", live.head().generation(),
                "proxies", fleet.view()))).type(MediaType.APPLICATION_JSON).build();
    }
}
